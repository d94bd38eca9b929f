"""What CI makes of pip-audit's JSON report (`.ci/run`): a known vulnerability fails the run, and
so does a package that could not be audited while others could. pip-audit itself passes a run in
which no package could be audited at all ("No known vulnerabilities found"); here that run is
reported as NOT AUDITED, loudly, and does not fail, since it means the advisory service is out of
reach from this machine (every package "not found"), not that something is wrong with ours.

    python .ci/audit_verdict.py REPORT.json
"""
import json
import sys


def verdict(report: dict) -> tuple[int, list[str]]:
    """The exit status and the lines to print for a pip-audit JSON report."""
    packages = report["dependencies"]
    vulnerable = [p for p in packages if p.get("vulns")]
    skipped = [p for p in packages if "skip_reason" in p]
    lines = [f"VULNERABLE {p['name']} {p['version']}: {v['id']} (fixed in {fixed_in(v)})"
             for p in vulnerable for v in p["vulns"]]
    if vulnerable:
        return 1, lines
    if packages and len(skipped) == len(packages):
        return 0, [(f"pip-audit: NOT AUDITED: the advisory service answered for none of the {len(packages)} "
                    f"packages (first: {skipped[0]['skip_reason']})")]
    if skipped:
        return 1, [f"NOT AUDITED {p['name']}: {p['skip_reason']}" for p in skipped]
    return 0, [f"pip-audit: no known vulnerability in the {len(packages)} packages of the requirements"]


def fixed_in(vulnerability: dict) -> str:
    """The releases that fix a vulnerability, as a person reads them."""
    return ", ".join(vulnerability["fix_versions"]) or "no release yet"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        status, lines = verdict(json.load(file))
    print("\n".join(lines))
    sys.exit(status)
