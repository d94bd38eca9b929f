"""The name a browser at the door goes by in the door log: "Chrome on Android", "Safari on iPhone".

A User-Agent string is long, changes with every browser update and says nothing to
the office reading the log; ua-parser (the uap-core rules, as most analytics tools use
them) reads the browser and the system out of it, and the names people know are kept.
A device token is named by its own name instead (access.py).
"""
from flask_babel import gettext as _
from ua_parser import parse

from ..text import clean_line

# ua-parser tells the mobile builds of a browser apart; at the door it is the same browser.
BROWSERS = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome",
    "HeadlessChrome": "Chrome",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
}
SYSTEMS = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS"}
APPLE_DEVICES = {"iPhone", "iPad", "iPod"}
NAME_MAX = 60


def browser_name(user_agent: str | None) -> str:
    """The browser and its system as people name them, never the raw string: "Firefox on Windows"."""
    parsed = parse((user_agent or "")[:1000])
    browser = _family(parsed.user_agent)
    browser = BROWSERS.get(browser, browser)
    system = _family(parsed.os)
    if system == "iOS":
        device = _family(parsed.device)
        system = device if device in APPLE_DEVICES else system
    system = SYSTEMS.get(system, system)
    if browser and system:
        name = _("%(browser)s on %(system)s", browser=browser, system=system)
    elif browser or system:
        name = browser or _("A browser on %(system)s", system=system)
    else:
        name = _("Unknown browser")
    return clean_line(name)[:NAME_MAX]


def _family(part) -> str | None:
    family = getattr(part, "family", None)
    return None if not family or family == "Other" else family
