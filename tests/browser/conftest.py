"""A real Podium server in a thread, and Debian's Chromium driven by Playwright with a fake camera.

The app runs with CSRF protection on, as in production, so the page's script has
to send the token it was given. Chromium is launched per test because the fake
camera's video file is a launch argument.

The layout and accessibility tests walk through the scene instead (tests/browser/scene.py):
built once per test process in its own SQLite file and served for all of them, with one
Chromium; they only look, or add rows nobody else counts. Every server listens on a free port,
so pytest-xdist's workers never meet.
"""
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.serving import make_server

from app.auth.services import create_user
from app.links import absolute_url
from app.registrations.tickets import qr_png
from tests.conftest import STAFF_PASSWORD

from .scene import files_read_at_once

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
FRAME = (640, 480)
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run"]


def skip_without_browser_tools() -> None:
    """Skip (with the command that helps) when Debian's Chromium or ffmpeg is missing."""
    missing = [tool for tool in (CHROMIUM, "ffmpeg") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"browser tests need {', '.join(missing)}: apt-get install chromium ffmpeg")


@pytest.fixture(autouse=True)
def browser_tools():
    skip_without_browser_tools()


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright per test process: the sync API allows only one at a time in a thread."""
    skip_without_browser_tools()
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def live_server(app):
    """Podium served over HTTP on 127.0.0.1 (a secure context, so the camera may be used)."""
    server = make_server("127.0.0.1", 0, files_read_at_once(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def door_user(app):
    user, _ = create_user("tuer@podium.test", role="door", password=STAFF_PASSWORD, name="Anna Door")
    return user


def camera_feed(directory: Path, ticket_code: str) -> Path:
    """A y4m video of the ticket's QR code, as a guest holds up a phone in front of the camera.

    The QR (the absolute ticket URL, as in the mail) sits in the centre at about 40% of the
    frame's shorter side: qr-scanner looks only in its central scan region, and does not
    find a code that fills the whole frame.
    """
    png = directory / "qr.png"
    png.write_bytes(qr_png(absolute_url("registrations.ticket", code=ticket_code)))
    side = int(min(FRAME) * 0.4)
    qr = Image.open(png).convert("L").resize((side, side), Image.NEAREST)
    frame = Image.new("L", FRAME, 255)
    frame.paste(qr, ((FRAME[0] - side) // 2, (FRAME[1] - side) // 2))
    frame_png = directory / "frame.png"
    frame.convert("RGB").save(frame_png)
    video = directory / "frame.y4m"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-loop", "1", "-i", str(frame_png), "-t", "3",
                    "-r", "10", "-pix_fmt", "yuv420p", str(video)], check=True, timeout=60)
    return video


@pytest.fixture
def chromium(playwright_driver, tmp_path):
    """launch(video=None) -> a Chromium browser; with a y4m file it is the fake camera."""
    browsers = []

    def launch(video: Path | None = None):
        args = [*LAUNCH_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
        if video is not None:
            args.append(f"--use-file-for-fake-video-capture={video}")
        browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=args,
                                                    env={**os.environ, "HOME": str(tmp_path)})
        browsers.append(browser)
        return browser

    yield launch
    for browser in browsers:
        browser.close()


def log_in(page, base_url: str, email: str = "tuer@podium.test", password: str = STAFF_PASSWORD,
           lands_on: str = "/staff/checkin/") -> None:
    """Log in through the login form, as the door person does on their phone (staff land on /staff/)."""
    page.goto(f"{base_url}/staff/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base_url}{lands_on}")


# --- the scene: one realistic Podium per test process, to look at ---------------------------

@pytest.fixture(scope="session")
def scene_server(tmp_path_factory, playwright_driver):
    """The scene (tests/browser/scene.py) served on a free port; `.scene` finds its pages."""
    from .scene import SceneServer

    server = SceneServer(tmp_path_factory.mktemp("scene")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def scene_browser(playwright_driver, tmp_path_factory):
    """One headless Chromium for every look at the scene in this test process."""
    home = tmp_path_factory.mktemp("chromium-home")
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS,
                                                env={**os.environ, "HOME": str(home)})
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def scene_logins(scene_server, scene_browser):
    """who -> the cookies of a logged-in browser (staff, door, partner, admin), made once; guests have none."""
    from .scene import LOGINS, PASSWORD

    states = {"guest": None}
    for who, (email, home) in LOGINS.items():
        context = scene_browser.new_context(locale="en-US")
        log_in(context.new_page(), scene_server.base_url, email, PASSWORD, lands_on=home)
        states[who] = context.storage_state()
        context.close()
    return states


@pytest.fixture
def scene_page(scene_server, scene_browser, scene_logins):
    """open(who, size, locale="en-US", **options) -> a new page, as the guest, staff, the door, a partner
    or an admin."""
    contexts = []

    def open_page(who: str, size: str, locale: str = "en-US", **options):
        context = scene_browser.new_context(viewport=SIZES[size], locale=locale,
                                            storage_state=scene_logins[who], **options)
        context.set_default_timeout(10_000)  # what is not there after 10 s is not coming
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
