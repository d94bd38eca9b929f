"""`make bench`: Podium's speed as ratios to a reference served the same way, in the same run.

SQLite always; PostgreSQL as well when BENCH_DATABASE_URL is set. On each database the load figures
run on a fresh database with 100,000 registrations, then on one with 1,000: every figure REPEATS
times, each in turns of a few seconds with its reference, so that a ratio compares runs that saw
the same load on the machine. The tables show the median of the repeats, and how far the repeats
lie apart. Prints one table per database and appends it to bench/RESULTS.md. The year's
report (bench.yearly) closes each table; `python -m bench.yearly [DATABASE_URL]` runs it alone.
"""
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import text

from app.extensions import db

from . import data, yearly
from .load import CONNECTIONS, THREADS, Figure, Server, cpu_of_others, wrk

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # as `make run`
# Each figure's run, in turns of SLICE seconds with its reference's. On this 2-core machine, with
# other work on half a core or more, 8 s runs repeated within 5 to 30 %, 12 s runs mostly within
# 3 to 15 %. Even on a quiet machine, each run of 12 s had a figure or two whose repeats lay 12 to
# 15 % apart (a different one each time); 16 s keeps a database near twenty minutes. The scale
# table shows the spread.
SECONDS = int(os.environ.get("BENCH_SECONDS", "16"))
SLICE = 2
REPEATS = 3
AGREE = 0.10  # the repeats of a figure compared across scales lie this close together
# The check-in of distinct tickets at 1,000 registrations has only 400 tickets to scan: at either
# scale it is compared over ROUND_CODES tickets, ROUNDS times per repeat, checked in and undone.
# A round's median latency is a small sample: on a 2-core machine its ratio to the bare one swings
# by about 12 % (standard deviation) from round to round, and drifts over tens of seconds. With 6
# rounds the repeats lay 13 to 14 % apart at 1,000 registrations on SQLite; with 24 rounds, on a
# slower, noisier machine, still 13 % there and 15 % on PostgreSQL, but on a quiet one within 3 %
# on both. The first repeat on SQLite at 1,000 was the lowest in three full runs and the highest in
# the fourth (the quiet one): noise, as far as four runs tell.
ROUND_CODES = 380
ROUNDS = 24
ROUND_SECONDS = 1  # wrk's run for a round; its tickets take half of it; wrk idles the rest

EVENT_LIST, EVENT_PAGE, TICKET_PAGE = "event list", "event page", "ticket page"
RETRY = "check-in, a retry (same code and nonce)"
# A retry is answered from the process's store of door answers (app/checkin/stored_answers.py); a
# scan with a new nonce each time shows what a scan answered from the database costs. On PostgreSQL
# its repeats lay 11 to 13 % apart in SECONDS: it runs RESCAN_TURNS times as long.
RESCAN = "check-in, the same ticket with a new nonce each time (from the database)"
RESCAN_TURNS = 2
CHECKIN = "check-in, distinct tickets"
CHECKIN_ROUNDS = f"check-in, {ROUND_CODES} distinct tickets (median latency)"
SIGNUP = "sign-up"
# figure: (its reference, the lowest ratio to it)
TARGETS = {EVENT_LIST: ("hello-world", 0.6), EVENT_PAGE: ("hello-world", 0.6),
           TICKET_PAGE: ("hello-world", 0.6), RETRY: ("hello-world", 0.5), CHECKIN: ("bare check-in", 0.7),
           SIGNUP: ("bare sign-up", 0.6)}
# figure: its reference, shown beside the targets for comparison
COMPARED = {RESCAN: "hello-world"}
CHECKIN_P99 = 2.0  # at most this many times the bare check-in's p99
SCALE = 1.2  # 100,000 registrations at most this many times slower than 1,000
MAILS_PER_SECOND = 100
QUIET_CORES = 0.2  # other work than the benchmark up to this much: a quiet machine
MEMORY_MB = 100


@dataclass
class Pair:
    """One repeat of a figure with its reference, the two run in turns."""

    figure: Figure
    reference: Figure
    ratio: float  # the figure relative to its reference: above 1 is faster
    note: str = ""  # what went wrong besides error answers

    @classmethod
    def of_rates(cls, figure: Figure, reference: Figure, note: str = "") -> "Pair":
        return cls(figure, reference, figure.rate / reference.rate, note)


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


def count(app, sql: str, **params) -> int:
    with app.app_context():
        return db.session.execute(text(sql), params).scalar_one()


class _HiddenFields(HTMLParser):
    """The hidden inputs of form#signup, by name."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == "signup"
        elif tag == "input" and self.inside and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def get(base: str, path: str) -> http.client.HTTPResponse:
    """A guest's GET, without cookies; the answer read."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def form_session(base: str, slug: str) -> tuple[str | None, dict]:
    """What a browser sends back with the sign-up form after loading the event page: the cookie,
    if the page set one, and the form's hidden fields (a CSRF token, the time trap's stamp ...)."""
    response = get(base, f"/events/{slug}/")
    cookies = [header.split(";")[0] for header in response.headers.get_all("Set-Cookie") or []]
    form = _HiddenFields()
    form.feed(response.body.decode())
    return "; ".join(cookies) or None, form.fields


def guest_cookies(base: str, paths: dict) -> dict:
    """The cookies each public page sets for a guest who brings none: their names, by page."""
    return {name: [header.split("=")[0] for header in get(base, path).headers.get_all("Set-Cookie") or []]
            for name, path in paths.items()}


def reset_checkins(app) -> None:
    with app.app_context():
        db.session.execute(text("DELETE FROM checkin_records"))
        db.session.execute(text("UPDATE registrations SET checked_in_at = NULL, checked_in_by = NULL "
                                "WHERE checked_in_at IS NOT NULL"))
        db.session.commit()
    data.settle(app)


def remove_signups(app, event_id: int) -> None:
    """Take a sign-up run's registrations away again, so that each scale stays at its size."""
    with app.app_context():
        db.session.execute(text("DELETE FROM outgoing_mails WHERE registration_id IN "
                                "(SELECT id FROM registrations WHERE event_id = :e)"), {"e": event_id})
        db.session.execute(text("DELETE FROM registrations WHERE event_id = :e"), {"e": event_id})
        db.session.execute(text("UPDATE events SET confirmed_count = 0, waitlist_count = 0 WHERE id = :e"),
                           {"e": event_id})
        db.session.commit()
    data.settle(app)


def shortfall(done: int, figure: Figure, what: str) -> str:
    """A note when fewer requests did their work than wrk counted answers (1 % slack for the
    requests wrk leaves unanswered at its end)."""
    return f"only {done} of {figure.requests} {what}" if done < figure.requests * 0.99 else ""


def in_turns(runs: dict[str, Callable[[int, int], Figure]]) -> dict[str, Figure]:
    """SECONDS of each run, in turns of SLICE seconds, one run after the other, round and round:
    the machine's load changes within seconds, and a figure and its reference see the same
    changes. Each run takes the turn's number and its seconds; answers each run's turns combined."""
    turns = max(1, SECONDS // SLICE)
    figures = defaultdict(list)
    for turn in range(turns):
        for name, run in runs.items():
            figures[name].append(run(turn, SECONDS // turns))
    return {name: Figure.combined(turns_of) for name, turns_of in figures.items()}


def checkin(server: Server, event_id: int, codes_path: Path, token: str, seconds: int, limit: int = 0,
            offset: int = 0) -> Figure:
    path = f"/api/v1/events/{event_id}/checkins"
    return wrk(server.url + path, seconds=seconds, script="checkin.lua",
               args=[codes_path, THREADS, token, path, limit // THREADS, offset])


def bare_checkin(reference: Server, codes_path: Path, seconds: int, limit: int = 0, offset: int = 0) -> Figure:
    return wrk(reference.url + "/checkin", seconds=seconds, script="checkin.lua",
               args=[codes_path, THREADS, "none", "/checkin", limit // THREADS, offset])


def checkin_pair(app, podium: Server, reference: Server, bench: data.BenchData, paths: dict) -> Pair:
    """The check-in of distinct tickets against the bare check-in, both from no ticket checked in;
    each turn goes on with the next tickets."""
    reset_checkins(app)
    next_code = {"bare": 0, "api": 0}

    def bare_turn(_, seconds):
        figure = bare_checkin(reference, paths["bare"], seconds, offset=next_code["bare"])
        next_code["bare"] = figure.next_code
        return figure

    def api_turn(_, seconds):
        figure = checkin(podium, bench.checkin_event_id, paths["codes"], bench.token, seconds,
                         offset=next_code["api"])
        next_code["api"] = figure.next_code
        return figure

    figures = in_turns({"bare": bare_turn, "api": api_turn})
    bare, api = figures["bare"], figures["api"]
    notes = [shortfall(count(app, "SELECT count(*) FROM registrations WHERE event_id = :e "
                             "AND checked_in_at IS NOT NULL", e=bench.bare_event_id),
                       bare, "bare check-ins found a ticket"),
             shortfall(count(app, "SELECT count(*) FROM checkin_records WHERE event_id = :e",
                             e=bench.checkin_event_id), api, "check-ins found a ticket")]
    return Pair.of_rates(api, bare, "; ".join(n for n in notes if n))


def checkin_rounds(app, podium: Server, reference: Server, bench: data.BenchData, paths: dict) -> Pair:
    """The same ROUND_CODES tickets at either scale, against as many bare check-ins, ROUNDS times;
    undone before each round, the database settled before each side's run. wrk idles once the
    tickets are done: the median latency counts, the ratio is the median of the rounds'."""
    api, bare = [], []
    for _ in range(ROUNDS):
        reset_checkins(app)
        bare.append(bare_checkin(reference, paths["bare-round"], ROUND_SECONDS, limit=ROUND_CODES))
        data.settle(app)
        api.append(checkin(podium, bench.checkin_event_id, paths["round"], bench.token, ROUND_SECONDS,
                           limit=ROUND_CODES))
    ratio = statistics.median(bare_round.p50_ms / api_round.p50_ms for api_round, bare_round in zip(api, bare))
    return Pair(Figure.combined(api), Figure.combined(bare), ratio)


def post_json(server: Server, path: str, token: str, body: dict) -> dict:
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=30)
    connection.request("POST", path, body=json.dumps(body), headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    answer = json.loads(connection.getresponse().read())
    connection.close()
    return answer


def retry_run(podium: Server, bench: data.BenchData) -> tuple[Callable[[int, int], Figure], str]:
    """A scanner's retry: one check-in now, then the run that sends the same request again and
    again; and a note unless a retry answers as the first did ("checked_in", not the
    "already_checked_in" of a second scan)."""
    path = f"/api/v1/events/{bench.checkin_event_id}/checkins"
    body = {"code": bench.retry_code, "nonce": "bench-retry"}
    post_json(podium, path, bench.token, body)
    status = post_json(podium, path, bench.token, body).get("status")

    def run(_, seconds):
        return wrk(podium.url + path, seconds=seconds, script="retry.lua",
                   args=[path, bench.token, bench.retry_code, "bench-retry"])

    return run, "" if status == "checked_in" else f"a retry answers {status}"


def rescan_run(podium: Server, bench: data.BenchData) -> Callable[[int, int], Figure]:
    """The retried ticket (checked in by retry_run) scanned again and again, with a new nonce each time."""
    path = f"/api/v1/events/{bench.checkin_event_id}/checkins"

    def run(_, seconds):
        return wrk(podium.url + path, seconds=seconds, script="rescan.lua", args=[path, bench.token, bench.retry_code])

    return run


def signup_pair(app, podium: Server, reference: Server, bench: data.BenchData, prefix: str) -> Pair:
    """Podium's sign-up as a browser sends it, against the bare sign-up; their registrations
    are removed after each."""
    event_id = bench.signup_event_id
    cookie, fields = form_session(podium.url, bench.signup_slug)
    form = urlencode(fields) or "none"

    def bare_turn(turn, seconds):
        path = f"/signup/{event_id}"
        return wrk(reference.url + path, seconds=seconds, script="signup.lua",
                   args=[path, "none", "none", f"bare{prefix}t{turn}", reference.url])

    def podium_turn(turn, seconds):
        path = f"/events/{bench.signup_slug}/register"
        return wrk(podium.url + path, seconds=seconds, script="signup.lua",
                   args=[path, cookie or "none", form, f"podium{prefix}t{turn}", podium.url])

    figures = in_turns({"bare": bare_turn, "podium": podium_turn})
    bare, signup = figures["bare"], figures["podium"]
    stored = {side: count(app, "SELECT count(*) FROM registrations WHERE event_id = :e AND email LIKE :p",
                          e=event_id, p=f"{side}%") for side in ("bare", "podium")}
    notes = [shortfall(stored["podium"], signup, "sign-ups stored"),
             shortfall(stored["bare"], bare, "bare sign-ups stored")]
    remove_signups(app, event_id)
    return Pair.of_rates(signup, bare, "; ".join(n for n in notes if n))


def hello_world_pairs(podium: Server, reference: Server, bench: data.BenchData, pages: dict) -> dict:
    """The public pages and the retried check-in, in turns with hello-world: {figure: Pair}."""

    def get_run(server, path):
        return lambda _, seconds: wrk(server.url + path, seconds=seconds)

    retry, note = retry_run(podium, bench)
    rescan = rescan_run(podium, bench)
    rescans = {f"{RESCAN} {n}": rescan for n in range(RESCAN_TURNS)}
    figures = in_turns({"hello-world": get_run(reference, "/"),
                        **{name: get_run(podium, path) for name, path in pages.items()}, RETRY: retry, **rescans})
    figures[RESCAN] = Figure.combined([figures.pop(name) for name in rescans])
    hello = figures.pop("hello-world")
    return {name: Pair.of_rates(figure, hello, note if name == RETRY else "") for name, figure in figures.items()}


def measure(app, podium: Server, reference: Server, bench: data.BenchData, label: str, large: bool,
            others: list) -> tuple[dict, dict]:
    """Every load figure REPEATS times, {figure: [Pair per repeat]}, and the cookies the public pages
    set for a guest. The check-in of distinct tickets for its target only at 100,000 registrations
    (1,000 have too few tickets for a run of SECONDS). Adds to `others` how many cores other work
    kept busy during each repeat."""
    pages = {EVENT_LIST: "/events/", EVENT_PAGE: f"/events/{bench.list_slug}/",
             TICKET_PAGE: f"/t/{bench.ticket_code}"}
    tag = "large" if large else "small"
    paths = {"codes": write_codes(bench.checkin_codes, f"codes-{tag}"),
             "bare": write_codes(bench.bare_codes, f"bare-codes-{tag}"),
             "round": write_codes(bench.checkin_codes[:ROUND_CODES], f"round-codes-{tag}"),
             "bare-round": write_codes(bench.bare_codes[:ROUND_CODES], f"bare-round-codes-{tag}")}
    pairs = defaultdict(list)
    for repeat in range(1, REPEATS + 1):
        print(f"[{label}] repeat {repeat} of {REPEATS} ...", flush=True)
        started, cpu = time.monotonic(), cpu_of_others()
        for name, pair in hello_world_pairs(podium, reference, bench, pages).items():
            pairs[name].append(pair)
        pairs[SIGNUP].append(signup_pair(app, podium, reference, bench, f"{tag}r{repeat}"))
        # On PostgreSQL a check-in run right after the sign-up's measures about 0.7 of the bare
        # check-in, one after another check-in run about 0.8 (README, "Benchmark"): not explained.
        if large:
            pairs[CHECKIN].append(checkin_pair(app, podium, reference, bench, paths))
        pairs[CHECKIN_ROUNDS].append(checkin_rounds(app, podium, reference, bench, paths))
        others.append((cpu_of_others() - cpu) / (time.monotonic() - started))
    return dict(pairs), guest_cookies(podium.url, pages)


def capacity_run(server: Server, slug: str, signups: int = 500, clients: int = 32) -> dict:
    """`signups` sign-ups from `clients` concurrent clients, each loading the event page first."""
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
                cookie, fields = form_session(server.url, slug)
                body = urlencode({"name": f"Gast {n}", "email": f"cap{n}@example.org", "affiliation": "volunteer",
                                  "consent": "y", "remarks": "", **fields})
                headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": server.url}
                if cookie:
                    headers["Cookie"] = cookie
                started = time.perf_counter()
                connection.request("POST", f"/events/{slug}/register", body=body, headers=headers)
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


@dataclass
class Results:
    large: dict  # {figure: [Pair per repeat]} at 100,000 registrations
    small: dict  # the same at 1,000
    cookies: dict  # {page: [cookie names]} a guest got
    capacity: dict
    counts: dict
    memory_mb: float
    mails_per_second: float
    mails: int
    seconds: float
    others: list  # cores kept busy by other work than the benchmark, in each repeat


def run(label: str, database_url: str) -> Results:
    """Every figure on one database."""
    started = time.monotonic()
    WORK.mkdir(exist_ok=True)
    app = data.make_app(database_url, str(WORK / "instance"))
    print(f"[{label}] building 1,000 events, 100,000 registrations, 2,000 contacts ...", flush=True)
    data.reset_schema(app)
    big = data.build(app, 100_000)
    podium = start("wsgi:app", database_url, "podium")
    reference = start("bench.reference:app", database_url, "reference")
    try:
        others = []
        large, cookies = measure(app, podium, reference, big, f"{label}, 100,000 registrations", True, others)
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
    try:
        small, _ = measure(app, podium, reference, small_data, f"{label}, 1,000 registrations", False, others)
    finally:
        podium.stop()
        reference.stop()
    return Results(large, small, cookies, capacity, counts, memory, mails_per_second, sent,
                   time.monotonic() - started, others)


def spread(values: list) -> float:
    """How far the repeats lie apart, relative to their median."""
    return (max(values) - min(values)) / statistics.median(values)


def ok(met: bool) -> str:
    return "ok" if met else "MISSED"


def measured(name: str, repeats: list, reference: str) -> tuple[str, float, list]:
    """A figure's row up to its ratio (its name with what went wrong, rate, p50, p99 and its reference's
    rate: medians of the repeats), the median ratio, and what went wrong."""
    errors = sum(p.figure.errors for p in repeats)
    notes = [f"{errors} errors"] if errors else []
    notes += sorted({p.note for p in repeats if p.note})
    note = f" ({'; '.join(notes)})" if notes else ""
    rate, p50, p99, reference_rate = (statistics.median(value(p) for p in repeats) for value in (
        lambda p: p.figure.rate, lambda p: p.figure.p50_ms, lambda p: p.figure.p99_ms, lambda p: p.reference.rate))
    cells = f"| {name}{note} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {reference_rate:.0f} ({reference})"
    return cells, statistics.median(p.ratio for p in repeats), notes


def figure_rows(pairs: dict) -> list:
    """The figures with a target at 100,000 registrations, then those shown for comparison: medians
    of the repeats."""
    lines = []
    for name, (reference, target) in TARGETS.items():
        repeats = pairs[name]
        cells, ratio, notes = measured(name, repeats, reference)
        lines.append(f"{cells} | {ratio:.2f} | >= {target} | {ok(ratio >= target and not notes)} |")
        if name == CHECKIN:
            p99 = statistics.median(p.figure.p99_ms for p in repeats)
            reference_p99 = statistics.median(p.reference.p99_ms for p in repeats)
            times = p99 / reference_p99
            lines.append(f"| {name}: p99, to the bare check-in's | {p99:.1f} ms | | | {reference_p99:.1f} ms "
                         f"(bare check-in p99) | {times:.2f} x | <= {CHECKIN_P99:g} x | {ok(times <= CHECKIN_P99)} |")
    for name, reference in COMPARED.items():
        cells, ratio, _notes = measured(name, pairs[name], reference)
        lines.append(f"{cells} | {ratio:.2f} | none: for comparison | |")
    return lines


def scale_rows(label: str, large: dict, small: dict) -> list:
    """Each figure's ratio to its reference at 1,000 and at 100,000 registrations: the median of
    the repeats, and how far the repeats lie apart (they must agree within AGREE)."""
    lines = [f"| 1,000 → 100,000 registrations ({label}) | run | ratio at 1,000: repeats (spread) | "
             f"at 100,000 | 100,000 times slower | target | |",
             "|---|---|---|---|---|---|---|"]
    references = {CHECKIN_ROUNDS: "bare check-in", **COMPARED, **{name: r for name, (r, _) in TARGETS.items()}}
    for name in small:
        run_length = {CHECKIN_ROUNDS: f"{ROUNDS} x {ROUND_CODES} tickets",
                      RESCAN: f"{SECONDS * RESCAN_TURNS} s"}.get(name, f"{SECONDS} s")
        cells, medians, spreads = [], [], []
        for pairs in (small[name], large[name]):
            ratios = [p.ratio for p in pairs]
            medians.append(statistics.median(ratios))
            spreads.append(spread(ratios))
            cells.append(" ".join(f"{r:.2f}" for r in ratios) + f" ({spreads[-1]:.0%})")
        slower = medians[0] / medians[1]
        status = ok(slower <= SCALE)
        if max(spreads) > AGREE:
            status += f", repeats {max(spreads):.0%} apart"
        lines.append(f"| {name}, to {references[name]} | {run_length} | {cells[0]} | {cells[1]} | {slower:.2f} x | "
                     f"<= {SCALE:g} x, repeats within {AGREE:.0%} | {status} |")
    return lines


def report(label: str, results: Results, yearly_rows: str) -> str:
    """The figures with a target, then (a table of its own) the cost of data growth."""
    lines = [f"| figure ({label}, 100,000 registrations; median of {REPEATS}) | req/s | p50 ms | p99 ms | "
             f"reference req/s | ratio | target | |",
             "|---|---|---|---|---|---|---|---|"]
    lines += figure_rows(results.large)
    given = {page: names for page, names in results.cookies.items() if names}
    said = ", ".join(f"{page}: {', '.join(names)}" for page, names in given.items()) or "none"
    lines.append(f"| Set-Cookie to a guest from the {', '.join(results.cookies)} | {said} | | | | | none | "
                 f"{ok(not given)} |")
    capacity, counts = results.capacity, results.counts
    statuses = capacity["statuses"]
    full = (counts.get("confirmed") == 150 and counts.get("waitlisted") == 350 and not capacity["failures"]
            and not any(s >= 500 for s in statuses))
    lines.append(f"| capacity: 500 sign-ups, 32 clients, 150 places | {counts.get('confirmed', 0)} confirmed, "
                 f"{counts.get('waitlisted', 0)} waitlisted, {sum(s >= 500 for s in statuses)} answers 5xx, "
                 f"{len(capacity['failures'])} dropped | {capacity['p50_ms']:.1f} | {capacity['p99_ms']:.1f} | | | "
                 f"150 / 350 / 0 | {ok(full)} |")
    lines.append(f"| mail: {results.mails} confirmations, one `mail work` | {results.mails_per_second:.1f} mails/s "
                 f"| | | | | >= {MAILS_PER_SECOND}/s | {ok(results.mails_per_second >= MAILS_PER_SECOND)} |")
    lines.append(f"| peak RSS of a gunicorn worker | {results.memory_mb:.0f} MB | | | | | < {MEMORY_MB} MB | "
                 f"{ok(results.memory_mb < MEMORY_MB)} |")
    lines += [yearly_rows, ""] + scale_rows(label, results.large, results.small)
    return "\n".join(lines)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{platform.node()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def method() -> str:
    return (f"wrk: {THREADS} threads, {CONNECTIONS} connections; each figure {SECONDS} s (BENCH_SECONDS) in turns "
            f"of {SLICE} s with its reference, {REPEATS} repeats at 100,000 and at 1,000 registrations, the median "
            f"counts; the rescan {RESCAN_TURNS} turns for each of the others'; the check-in's scale comparison in "
            f"rounds of {ROUND_CODES} tickets, {ROUNDS} per repeat; the database settled after the build, "
            f"after each undo of check-ins or sign-ups and between the two sides of a round.")


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make bench installs it on Debian)")
    started = time.monotonic()
    databases = [("SQLite", f"sqlite:///{WORK / 'bench.db'}")]
    if os.environ.get("BENCH_DATABASE_URL"):
        databases.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir()
    print(method(), flush=True)
    tables = []
    for label, url in databases:
        results = run(label, url)
        # The year's report on a database of its own making (the load figures' data is one of many years).
        table = report(label, results, yearly.run(label, url))
        heading = (f"Database: {label}, gunicorn sync workers: {WORKERS}; the load figures took "
                   f"{results.seconds:.0f} s, while other work kept {min(results.others):.1f} to "
                   f"{max(results.others):.1f} of the {os.cpu_count()} cores busy")
        if max(results.others) > QUIET_CORES:
            heading += " (the ratios swing with it, and the repeats may disagree)"
        print(f"\n{heading}\n\n{table}\n", flush=True)
        tables.append(f"{heading}\n\n{table}")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    entry = (f"\n## {stamp}\n\nMachine: {machine()}. {method()} Run time {time.monotonic() - started:.0f} s.\n\n"
             + "\n\n".join(tables) + "\n")
    with open(BENCH / "RESULTS.md", "a") as results:
        results.write(entry)
    print(f"Appended to {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
