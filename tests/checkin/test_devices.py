"""The names the door log gives browsers: what people call them, never the User-Agent string."""
import pytest
from flask_babel import force_locale

from app.checkin.devices import NAME_MAX, browser_name

AGENTS = [
    (("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 "
      "Mobile Safari/537.36"), "Chrome on Android"),
    (("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
      "Safari/537.36"), "Chrome on Android"),  # a tablet
    (("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 "
      "Chrome/121.0.0.0 Mobile Safari/537.36"), "Samsung Internet on Android"),
    (("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.5 Mobile/15E148 Safari/604.1"), "Safari on iPhone"),
    (("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
      "Mobile/15E148 Safari/604.1"), "Safari on iPad"),
    (("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1"), "Chrome on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Windows"),
    (("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
      "Safari/537.36 Edg/126.0.0.0"), "Edge on Windows"),
    (("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
      "Safari/605.1.15"), "Safari on macOS"),
    (("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 "
      "Safari/537.36"), "Chrome on Linux"),
    ("curl/8.5.0", "curl"),
    ("", "Unknown browser"),
    (None, "Unknown browser"),
    ("Werkzeug/3.1.3", "Unknown browser"),
]


@pytest.mark.parametrize("user_agent, name", AGENTS)
def test_a_browser_is_named_as_people_name_it(app, user_agent, name):
    with force_locale("en"):
        assert browser_name(user_agent) == name


def test_a_made_up_user_agent_gives_a_short_name_on_one_line(app):
    crafted = "Mozilla/5.0 (Linux; Android 14) " + "Evil\x00Browser\n" * 200 + "/1.0"

    with force_locale("en"):
        named = browser_name(crafted)

    assert len(named) <= NAME_MAX
    assert "\n" not in named and "\x00" not in named
