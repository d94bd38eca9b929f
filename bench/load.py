"""Servers under gunicorn and load from wrk (a separate process), and what wrk reports."""
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "lua"
CONNECTIONS = 16
THREADS = 2


@dataclass
class Figure:
    rate: float  # requests per second
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers and socket errors
    requests: int
    seconds: float = 0.0  # how long wrk ran
    next_code: int = 0  # checkin.lua: where the next run starts in its codes

    @classmethod
    def combined(cls, runs: list) -> "Figure":
        """Several runs as one: the rate over their time together, the median of their medians,
        the mean of their p99s (each run's tail counts, none alone decides)."""
        seconds = sum(run.seconds for run in runs)
        return cls(sum(run.requests for run in runs) / seconds, statistics.median(run.p50_ms for run in runs),
                   statistics.mean(run.p99_ms for run in runs), sum(run.errors for run in runs),
                   sum(run.requests for run in runs), seconds, max(run.next_code for run in runs))


class Server:
    """A gunicorn master with `workers` sync workers, serving `target` on 127.0.0.1:port."""

    def __init__(self, target: str, port: int, workers: int, env: dict, log: Path):
        self.url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
                   "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                   "--access-logfile", "/dev/null", "--error-logfile", str(log), target]
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn for {self.url} exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(self.url + "/", timeout=2)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.url} did not answer within {timeout} s")

    def worker_pids(self) -> list[int]:
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid):
                pids.append(int(status.parent.name))
        return pids

    def peak_worker_rss_mb(self) -> float:
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks, default=0.0)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", value).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, *, seconds: int = 8, script: str | None = None, args: list | None = None,
        connections: int = CONNECTIONS) -> Figure:
    command = ["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", str(LUA / script)]
    command.append(url)
    if args:
        command += ["--", *[str(a) for a in args]]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests, duration = re.search(r"(\d+) requests in ([\d.]+[a-z]+)", output).groups()
    p50 = _ms(re.search(r"\s50%\s+([\d.]+[a-z]+)", output).group(1))
    p99 = _ms(re.search(r"\s99%\s+([\d.]+[a-z]+)", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(g) for g in match.groups())
    next_code = re.search(r"next code: (\d+)", output)
    return Figure(rate, p50, p99, errors, int(requests), _ms(duration) / 1000,
                  int(next_code.group(1)) if next_code else 0)


def _ticks(fields: list) -> int:
    """utime + stime + cutime + cstime of a /proc/<pid>/stat line, split after the command."""
    return sum(int(f) for f in fields[11:15])


def cpu_of_others() -> float:
    """CPU seconds the machine has spent so far on other work than the benchmark: all of it (steal
    by the hypervisor included), less this process and its children (gunicorn, wrk, and the ones
    it waited for) and PostgreSQL's processes (which serve the benchmark). Work of others that
    used PostgreSQL counts as the benchmark's: the figure errs on the quiet side."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(values) - values[3] - values[4]  # less idle and iowait
    processes = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        command, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        processes[int(stat.parent.name)] = (command, int(fields[1]), fields)
    ours, frontier = set(), {os.getpid()}
    while frontier:
        ours |= frontier
        frontier = {pid for pid, (_, parent, _) in processes.items() if parent in frontier} - ours
    excluded = sum(_ticks(fields) for pid, (command, _, fields) in processes.items()
                   if pid in ours or command == "postgres")
    return (busy - excluded) / os.sysconf("SC_CLK_TCK")
