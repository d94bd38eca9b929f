"""Guests as browsers behind a load balancer: each talks HTTP to the instance it is sent to, and
a crowd of them signs up at once."""
import http.client
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from tests.pages import ENGLISH, form_values, parse

# Answers of a browser whose connection the instance dropped or refused (a killed instance).
CONNECTION_LOST = (ConnectionError, http.client.HTTPException)


@dataclass
class Answer:
    """What an instance answered: the status, where it redirects to, the page."""

    status: int
    location: str
    body: str


@dataclass
class Browser:
    """One guest's browser behind the reverse proxy: the proxy tells the instances the guest's
    address in X-Forwarded-For (PROXY_COUNT=1), and the browser keeps whatever cookie it is given."""

    address: str
    cookies: dict = field(default_factory=dict)

    def get(self, base: str, path: str, headers: dict | None = None) -> Answer:
        """GET `path` from the instance at `base`."""
        return self._request(base, "GET", path, headers=headers or {})

    def sign_up(self, base: str, slug: str, name: str, email: str) -> Answer:
        """Open the event page at `base` and send its sign-up form as a browser does: every field
        the page put into it (hidden ones included), the guest's details, the cookie if one was
        set, and the headers a browser adds to a form sent from the page it came from. A page
        that is not there is the answer."""
        page = self.get(base, f"/events/{slug}/")
        if page.status != 200:
            return page
        form = parse(page.body).one("form", id="signup")
        values = {**form_values(form), "name": name, "email": email, "affiliation": "professional",
                  "consent": "y"}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": base,
                   "Sec-Fetch-Site": "same-origin"}
        return self._request(base, "POST", urlsplit(form.get("action")).path, body=urlencode(values),
                             headers=headers)

    def _request(self, base: str, method: str, path: str, *, body: str | None = None,
                 headers: dict) -> Answer:
        server = urlsplit(base)
        connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30)
        headers = {"X-Forwarded-For": self.address, **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Answer(response.status, response.headers.get("Location", ""), content)


def places(page: str) -> str:
    """What an event page says about its places ('4 places left', 'full – waitlist open')."""
    found = parse(page).find("p", class_="places")
    return found.text if found else ""


def event_page_in_english(base: str, slug: str) -> str:
    """The event page as a guest with an English browser reads it (a browser new each time)."""
    return Browser("198.51.100.200").get(base, f"/events/{slug}/", ENGLISH).body


# --- a crowd of guests -----------------------------------------------------------------

CONCURRENT_GUESTS = 16
LANDINGS = (
    (re.compile(r"/r/[^/]+/signed-up"), "confirmed"),
    (re.compile(r"/r/[^/]+"), "waitlisted"),
    (re.compile(r"/events/[^/]+/registered"), "already registered"),
)


@dataclass
class SignUp:
    """One guest's sign-up as the guest saw it: each attempt's answer, and where it landed."""

    email: str
    answers: list = field(default_factory=list)  # (instance URL, status or "connection lost")
    landing: str | None = None  # "confirmed", "waitlisted", "already registered"; None: failed

    @property
    def failed_over(self) -> bool:
        return any(status == "connection lost" for _url, status in self.answers)


def landing_of(answer: Answer) -> str | None:
    """Where a sign-up's answer sends the guest, by the page it redirects to."""
    if answer.status not in (302, 303):
        return None
    path = urlsplit(answer.location).path
    return next((landing for pattern, landing in LANDINGS if pattern.fullmatch(path)), None)


def guest_address(n: int) -> str:
    """A client address of its own for guest n (198.18.0.0/15, the range for benchmarks), so that
    the per-client rate limit never stands between a crowd and its sign-ups."""
    return f"198.18.{n // 250}.{n % 250 + 1}"


def sign_up_with_failover(urls: list[str], n: int, slug: str) -> SignUp:
    """Guest n signs up through instance n % 2; where the connection is lost (a dead instance),
    the load balancer sends the same browser to the other one, and the guest sends the same
    details again: had the first sign-up gone through, this one answers "already registered"."""
    result = SignUp(f"guest{n}@example.org")
    browser = Browser(guest_address(n))
    for attempt in range(4):
        url = urls[(n + attempt) % len(urls)]
        try:
            answer = browser.sign_up(url, slug, f"Guest {n}", result.email)
        except CONNECTION_LOST:
            result.answers.append((url, "connection lost"))
            continue
        result.answers.append((url, answer.status))
        result.landing = landing_of(answer)
        break
    return result


def storm(urls: list[str], slug: str, guests: int, *, midway: tuple[int, Callable] | None = None
          ) -> list[SignUp]:
    """`guests` sign-ups, CONCURRENT_GUESTS at a time, spread over the instances; `midway` is
    (n, call): call() once n sign-ups have ended, while the rest are under way."""
    done = []
    with ThreadPoolExecutor(CONCURRENT_GUESTS) as pool:
        futures = [pool.submit(sign_up_with_failover, urls, n, slug) for n in range(guests)]
        for future in as_completed(futures):
            done.append(future.result())
            if midway and len(done) == midway[0]:
                midway[1]()
    return done
