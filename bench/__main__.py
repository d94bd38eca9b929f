"""`make bench`: Podium's speed as ratios to a reference served the same way, in the same run.

SQLite always; PostgreSQL as well when BENCH_DATABASE_URL is set. Prints one table per
database and appends it to bench/RESULTS.md. The year's report (bench.yearly) closes each table;
`python -m bench.yearly [DATABASE_URL]` runs it alone.
"""
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import text

from app.extensions import db

from . import data, yearly
from .load import Figure, Server, wrk

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # as `make run`
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, base_url: str) -> dict:
    return {"DATABASE_URL": database_url, "BASE_URL": base_url, "PODIUM_ENV": "development",
            "SECRET_KEY": "bench-only-not-secret", "RATELIMIT_ENABLED": "false", "MAIL_BACKGROUND": "false",
            # wrk posts the sign-up at once, as no person could: the time trap would refuse it all.
            "FORM_MIN_SECONDS": "0",
            "BENCH_REF_DATABASE_URL": database_url}


def start(target: str, database_url: str, name: str) -> Server:
    port = free_port()
    return Server(target, port, WORKERS, server_env(database_url, f"http://127.0.0.1:{port}"),
                  WORK / f"{name}.log")


def write_codes(codes: list, name: str) -> Path:
    path = WORK / f"{name}.txt"
    path.write_text("\n".join(codes) + "\n")
    return path


def form_session(base: str, slug: str) -> tuple[str, str]:
    """A session cookie and its CSRF token, as a browser gets them from the event page."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"))
    connection.request("GET", f"/events/{slug}/")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return cookie, token


def reset_checkins(app) -> None:
    with app.app_context():
        db.session.execute(text("DELETE FROM checkin_records"))
        db.session.execute(text("UPDATE registrations SET checked_in_at = NULL, checked_in_by = NULL "
                                "WHERE checked_in_at IS NOT NULL"))
        db.session.commit()


def checkin(server: Server, event_id: int, codes_path: Path, token: str, limit: int = 0,
            seconds: int = SECONDS) -> Figure:
    path = f"/api/v1/events/{event_id}/checkins"
    return wrk(server.url + path, seconds=seconds, script="checkin.lua",
               args=[codes_path, 2, token, path, limit // 2])


def checkin_rounds(app, server: Server, event_id: int, codes: list, token: str, rounds: int = 3) -> Figure:
    """Check-in over the same number of codes at any scale, several rounds, undone in between."""
    path = write_codes(codes, "round-codes")
    figures = []
    for _ in range(rounds):
        reset_checkins(app)
        figures.append(checkin(server, event_id, path, token, limit=len(codes), seconds=10))
    return Figure(statistics.mean(f.rate for f in figures), statistics.median(f.p50_ms for f in figures),
                  max(f.p99_ms for f in figures), sum(f.errors for f in figures), sum(f.requests for f in figures))


def capacity_run(server: Server, slug: str, signups: int = 500, clients: int = 32) -> dict:
    """`signups` sign-ups from `clients` concurrent clients, each with its own session."""
    latencies, statuses, failures = [], [], []
    lock = threading.Lock()
    numbers = iter(range(signups))
    host = server.url.removeprefix("http://")

    def client():
        connection = http.client.HTTPConnection(host, timeout=60)
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            try:
                cookie, token = form_session(server.url, slug)
                body = urlencode({"name": f"Gast {n}", "email": f"cap{n}@example.org", "affiliation": "volunteer",
                                  "consent": "y", "csrf_token": token})
                started = time.perf_counter()
                connection.request("POST", f"/events/{slug}/register", body=body, headers={
                    "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                response.read()
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
                    statuses.append(response.status)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    failures.append(repr(exc))
                connection.close()
                connection = http.client.HTTPConnection(host, timeout=60)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"statuses": statuses, "failures": failures,
            "p50_ms": statistics.median(latencies) if latencies else 0,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] if latencies else 0}


def registration_counts(app, event_id: int) -> dict:
    with app.app_context():
        rows = db.session.execute(text("SELECT status, count(*) FROM registrations WHERE event_id = :e "
                                       "GROUP BY status"), {"e": event_id})
        return {status: count for status, count in rows}


def mail_run(app, database_url: str, event_id: int, count: int = 2000) -> tuple[float, int]:
    """Compose and deliver `count` confirmations with one `mail work --once` to a local SMTP sink."""
    with app.app_context():
        ids = [r for (r,) in db.session.execute(text(
            "SELECT id FROM registrations WHERE event_id = :e ORDER BY id LIMIT :n"), {"e": event_id, "n": count})]
        db.session.execute(text("DELETE FROM outgoing_mails"))
        now = datetime.now(timezone.utc)
        db.session.execute(text(
            "INSERT INTO outgoing_mails (kind, recipient, locale, registration_id, params, message_id, status, "
            "attempts, next_attempt_at, created_at) VALUES ('registration_confirmed', :m, 'de', :r, "
            "'{\"sequence\": 0}', :mid, 'queued', 0, :now, :now)"),
            [{"m": f"gast{r}@example.org", "r": r, "mid": f"<bench-{r}@podium>",
              "now": now.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else now} for r in ids])
        db.session.commit()
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        env = {**os.environ, **server_env(database_url, "http://podium.example"), "MAIL_SERVER": "127.0.0.1",
               "MAIL_PORT": str(port)}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "work", "--once"],
                       cwd=BENCH.parent, env=env, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
    finally:
        sink.terminate()
        sink.wait()
    with app.app_context():
        sent = db.session.execute(text("SELECT count(*) FROM outgoing_mails WHERE status = 'sent'")).scalar_one()
    return sent / elapsed, sent


def run(label: str, database_url: str) -> list[tuple]:
    """Every figure on one database: (name, value, reference, ratio, target, ok)."""
    WORK.mkdir(exist_ok=True)
    app = data.make_app(database_url, str(WORK / "instance"))
    rows = []
    print(f"[{label}] building 1,000 events, 100,000 registrations, 2,000 contacts ...", flush=True)
    data.reset_schema(app)
    big = data.build(app, 100_000)
    podium = start("wsgi:app", database_url, "podium")
    reference = start("bench.reference:app", database_url, "reference")
    try:
        pages = {"event list": "/events/", "event page": f"/events/{big.list_slug}/",
                 "ticket page": f"/t/{big.ticket_code}"}
        large, large_hello = {}, {}
        for name, path in pages.items():
            large_hello[name] = hello = wrk(reference.url + "/")
            large[name] = figure = wrk(podium.url + path)
            rows.append((name, figure, hello, 0.5))
        bare = wrk(reference.url + "/checkin", script="checkin.lua",
                   args=[write_codes(big.bare_codes, "bare-codes"), 2, "none", "/checkin"])
        api = checkin(podium, big.checkin_event_id, write_codes(big.checkin_codes, "codes"), big.token)
        rows.append(("check-in API", api, bare, 0.8))
        bare = wrk(reference.url + f"/signup/{big.signup_event_id}", script="signup.lua",
                   args=[f"/signup/{big.signup_event_id}", "none", "none", "bare"])
        cookie, token = form_session(podium.url, big.signup_slug)
        signup = wrk(podium.url + f"/events/{big.signup_slug}/register", script="signup.lua",
                     args=[f"/events/{big.signup_slug}/register", cookie, token, "podium"])
        rows.append(("sign-up", signup, bare, 0.7))
        large["check-in API"] = checkin_rounds(app, podium, big.checkin_event_id, big.checkin_codes[:380], big.token)
        capacity = capacity_run(podium, big.capacity_slug)
        counts = registration_counts(app, big.capacity_event_id)
        memory = podium.peak_worker_rss_mb()
    finally:
        podium.stop()
        reference.stop()
    mails_per_second, sent = mail_run(app, database_url, big.checkin_event_id)

    print(f"[{label}] the same with 1,000 registrations ...", flush=True)
    data.reset_schema(app)
    small_data = data.build(app, 1_000)
    podium = start("wsgi:app", database_url, "podium-small")
    reference = start("bench.reference:app", database_url, "reference-small")
    small_hello = {}
    try:
        small = {}
        for name, path in pages.items():
            if name != "ticket page":
                small_hello[name] = wrk(reference.url + "/")
                small[name] = wrk(podium.url + path)
        small["check-in API"] = checkin_rounds(app, podium, small_data.checkin_event_id,
                                               small_data.checkin_codes[:380], small_data.token)
    finally:
        podium.stop()
        reference.stop()
    scale = {name: (large[name].rate / large_hello[name].rate, small[name].rate / small_hello[name].rate)
             for name in small if name in small_hello}
    # Check-in runs over a fixed set of codes (wrk then idles to its end): compare the median latency.
    scale["check-in API (median latency)"] = (1 / large["check-in API"].p50_ms, 1 / small["check-in API"].p50_ms)
    return rows, scale, capacity, counts, memory, (mails_per_second, sent)


def report(label: str, results) -> str:
    rows, scale, capacity, counts, memory, (mails_per_second, sent) = results
    lines = [f"| figure ({label}) | req/s | p50 ms | p99 ms | reference req/s | ratio | target | |",
             "|---|---|---|---|---|---|---|---|"]
    for name, figure, reference, target in rows:
        ratio = figure.rate / reference.rate
        errors = f" ({figure.errors} errors)" if figure.errors else ""
        lines.append(f"| {name}{errors} | {figure.rate:.0f} | {figure.p50_ms:.1f} | {figure.p99_ms:.1f} | "
                     f"{reference.rate:.0f} | {ratio:.2f} | >= {target} | {'ok' if ratio >= target else 'MISSED'} |")
    for name, (large, small) in scale.items():
        # Each side relative to its own hello-world: the machine's load differs between the two runs.
        slower = small / large
        lines.append(f"| {name}: 100,000 registrations, times slower than with 1,000 | | | | | {slower:.2f} x | "
                     f"<= 1.2 x | {'ok' if slower <= 1.2 else 'MISSED'} |")
    statuses = capacity["statuses"]
    ok = (counts.get("confirmed") == 150 and counts.get("waitlisted") == 350 and not capacity["failures"]
          and not any(s >= 500 for s in statuses))
    lines.append(f"| capacity: 500 sign-ups, 32 clients, 150 places | {counts.get('confirmed', 0)} confirmed, "
                 f"{counts.get('waitlisted', 0)} waitlisted, {sum(s >= 500 for s in statuses)} answers 5xx, "
                 f"{len(capacity['failures'])} dropped | {capacity['p50_ms']:.1f} | {capacity['p99_ms']:.1f} | | | "
                 f"150 / 350 / 0 | {'ok' if ok else 'MISSED'} |")
    lines.append(f"| mail: {sent} confirmations, one `mail work` | {mails_per_second:.1f} mails/s | | | | | >= 50/s | "
                 f"{'ok' if mails_per_second >= 50 else 'MISSED'} |")
    lines.append(f"| peak RSS of a gunicorn worker | {memory:.0f} MB | | | | | < 100 MB | "
                 f"{'ok' if memory < 100 else 'MISSED'} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{platform.node()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make bench installs it on Debian)")
    started = time.monotonic()
    databases = [("SQLite", f"sqlite:///{WORK / 'bench.db'}")]
    if os.environ.get("BENCH_DATABASE_URL"):
        databases.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir()
    tables = []
    for label, url in databases:
        table = report(label, run(label, url))
        # The year's report on a database of its own making (the load figures' data is one of many years).
        table += "\n" + yearly.run(label, url)
        print(table, flush=True)
        tables.append(f"Database: {label}, gunicorn sync workers: {WORKERS}\n\n{table}")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    entry = (f"\n## {stamp}\n\nMachine: {machine()}. wrk: 2 threads, 16 connections, {SECONDS} s per figure. "
             f"Run time {time.monotonic() - started:.0f} s.\n\n" + "\n\n".join(tables) + "\n")
    with open(BENCH / "RESULTS.md", "a") as results:
        results.write(entry)
    print(f"\nAppended to {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
