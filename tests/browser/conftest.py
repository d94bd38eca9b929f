"""A real Podium server in a thread, and Debian's Chromium driven by Playwright with a fake camera.

The app runs with CSRF protection on, as in production, so the page's script has
to send the token it was given. Chromium is launched per test because the fake
camera's video file is a launch argument.
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

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
FRAME = (640, 480)


@pytest.fixture(autouse=True)
def browser_tools():
    missing = [tool for tool in (CHROMIUM, "ffmpeg") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"browser tests need {', '.join(missing)}: apt-get install chromium ffmpeg")


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def live_server(app):
    """Podium served over HTTP on 127.0.0.1 (a secure context, so the camera may be used)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
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
def chromium(tmp_path):
    """launch(video=None) -> a Chromium browser; with a y4m file it is the fake camera."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browsers = []

    def launch(video: Path | None = None):
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream"]
        if video is not None:
            args.append(f"--use-file-for-fake-video-capture={video}")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args,
                                             env={**os.environ, "HOME": str(tmp_path)})
        browsers.append(browser)
        return browser

    yield launch
    for browser in browsers:
        browser.close()
    playwright.stop()


def log_in(page, base_url: str, email: str = "tuer@podium.test") -> None:
    """Log in through the login form, as the door person does on their phone."""
    page.goto(f"{base_url}/staff/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/checkin/")
