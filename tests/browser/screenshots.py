"""Screenshots of every page of Podium on a phone (390x844) and a desktop (1280x900), for review.

    python -m tests.browser.screenshots screenshots/          (what `make screenshots` runs)
    python -m tests.browser.screenshots /tmp/shots --only door --locale en
    python -m tests.browser.screenshots /tmp/shots --only guest-ticket --languages ar,fa

Builds the scene of tests/browser/scene.py (the demo events, registrations in every state, a
waitlist, a cancelled event, a draft, contacts, campaigns, mails, a door log, and the demo's
network: institutions, working groups, meetings, a series, results, a partner account; its
surveys: the actors' survey under way, a draft, a forum's feedback with its answers) in a temporary
SQLite file, serves it on a free port, and walks the tour of tests/browser/tour.py in Debian's
Chromium: NN-<page>-phone.png and NN-<page>-desktop.png, whole pages, plus index.html to look at
them side by side. German by default, as Podium speaks. Then the guest's path (tour.GUEST_PATH) once
more in each guest language, right to left in Arabic and Persian: <folder>/<language>/, each with
its own index.html. Exits 1 if a page could not be shown.
"""
import argparse
import html
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .conftest import CHROMIUM, LAUNCH_ARGS, SIZES
from .scene import LOGINS, PASSWORD, SceneServer
from .tour import GUEST_PATH, numbered, visit

TIMEOUT_MS = 5_000  # a control that is not there after 5 s is not coming
# The browser's language for each guest language: its Accept-Language chooses the page's.
GUEST_LANGUAGES = {"de": "de-DE", "en": "en-GB", "ar": "ar", "fa": "fa", "uk": "uk"}


def _log_in(browser, base_url: str, email: str, lands_on: str, locale: str) -> dict:
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(f"{base_url}/staff/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base_url}{lands_on}")
    state = context.storage_state()
    context.close()
    return state


def _index(folder: Path, names: list[str], title: str, languages: tuple[str, ...] = ()) -> None:
    more = " ".join(f'<a href="{code}/index.html">{code}</a>' for code in languages)
    more = f"<p>The guest's path in every language: {more}</p>" if more else ""
    rows = "\n".join(
        f'<section><h2>{html.escape(name)}</h2><div class="pair">'
        f'<a href="{name}-phone.png"><img src="{name}-phone.png" alt="phone" width="390"></a>'
        f'<a href="{name}-desktop.png"><img src="{name}-desktop.png" alt="desktop" width="640"></a></div></section>'
        for name in names)
    (folder / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>Podium screenshots</title>"
        "<style>body{font-family:sans-serif;margin:1rem}.pair{display:flex;gap:1rem;align-items:flex-start}"
        "img{border:1px solid #ccc}</style>"
        f"<h1>{html.escape(title)}</h1>{more}{rows}", encoding="utf-8")


def _shoot(browser, server, name: str, stop, size: str, folder: Path, *, login, locale: str) -> list[str]:
    """One page at one size into NN-name-size.png; what went wrong on the way."""
    from playwright.sync_api import Error as BrowserError

    problems, errors = [], []
    context = browser.new_context(viewport=SIZES[size], locale=locale, storage_state=login)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        response = visit(page, server.base_url, server.scene, stop)
        if response is not None and response.status >= 500:
            problems.append(f"HTTP {response.status}")
    except BrowserError as exc:  # one broken page must not hide the others: shoot what there is
        problems.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    page.screenshot(path=folder / f"{name}-{size}.png", full_page=True, animations="disabled")
    context.close()
    return [f"{name} ({size}): {problem}" for problem in problems + [f"script error: {e}" for e in errors]]


def _photograph(driver, server, stops: list, folder: Path, *, locale: str, home: str) -> list[str]:
    """Every stop at every size by a browser speaking `locale`, into `folder`; what went wrong."""
    folder.mkdir(parents=True, exist_ok=True)
    # --lang: date and time fields draw their placeholders in the browser's own language.
    browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=[*LAUNCH_ARGS, f"--lang={locale}"], env={**os.environ, "HOME": home})
    problems = []
    try:
        logins = {"guest": None} | {who: _log_in(browser, server.base_url, email, lands_on, locale)
                                    for who, (email, lands_on) in LOGINS.items()
                                    if any(stop.who == who for _, stop in stops)}
        for name, stop in stops:
            started = time.monotonic()
            for size in SIZES:
                problems += _shoot(browser, server, name, stop, size, folder, login=logins[stop.who],
                                   locale=locale)
            print(f"  {name} ({time.monotonic() - started:.1f} s)", flush=True)
    finally:
        browser.close()
    return problems


def take(folder: Path, *, only: str = "", locale: str = "de-DE",
         languages: tuple[str, ...] = ()) -> list[str]:
    """Write the screenshots into `folder`, and the guest's path in each of `languages` into
    `folder`/<language>/; returns what went wrong, page by page."""
    from playwright.sync_api import sync_playwright

    stops = [(name, stop) for name, stop in numbered() if only in name]
    path = [(name, stop) for name, stop in stops if stop.name in GUEST_PATH]
    problems = []
    with tempfile.TemporaryDirectory() as work, sync_playwright() as driver:
        server = SceneServer(Path(work)).start()
        try:
            problems += _photograph(driver, server, stops, folder, locale=locale, home=work)
            _index(folder, [name for name, _ in stops], "Podium: every page, phone and desktop", languages)
            for code in languages:
                print(f"The guest's path in {code} ...", flush=True)
                found = _photograph(driver, server, path, folder / code, locale=GUEST_LANGUAGES[code],
                                    home=work)
                problems += [f"[{code}] {problem}" for problem in found]
                _index(folder / code, [name for name, _ in path], f"Podium: the guest's path in {code}")
        finally:
            server.stop()
    return problems


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots; print where they are and what went wrong."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="screenshots", type=Path)
    parser.add_argument("--only", default="", help="only pages whose name contains this, e.g. door")
    parser.add_argument("--locale", default="de-DE", help="the browser's language (default: de-DE)")
    parser.add_argument("--languages", default=",".join(GUEST_LANGUAGES),
                        help="the guest's path again in these languages (default: all five; '' for none)")
    args = parser.parse_args(argv)
    languages = tuple(code for code in args.languages.split(",") if code)
    if unknown := set(languages) - set(GUEST_LANGUAGES):
        parser.error(f"--languages: {', '.join(sorted(unknown))} is not one of {', '.join(GUEST_LANGUAGES)}")
    if shutil.which(CHROMIUM) is None:
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    print(f"Screenshots of every page into {args.folder}/ ...", flush=True)
    problems = take(args.folder, only=args.only, locale=args.locale, languages=languages)
    print(f"Done: {args.folder.resolve()}/index.html")
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
