"""Every catalog complete, not fuzzy, placeholders intact and in step with the sources; and the guest
catalogs hold everything a guest can meet.

German (translations/de) has every string of app/ and templates/ (babel.cfg). The guest languages
that staff pages do not speak (config LANGUAGES beyond STAFF_LANGUAGES: ar, fa, uk) have what guests
read (babel-guest.cfg). English is the language of the sources and has no catalog. When a test here
fails after you added or changed a user-facing string, refresh and translate:

    make messages            # pybabel extract + pybabel update --no-fuzzy-matching, every catalog
    # translate the new entries in translations/<language>/LC_MESSAGES/messages.po
    .venv/bin/pybabel compile -d translations --statistics

The extraction here is `make messages`' (the cfg, the keywords below), except that templates are
parsed with the app's Jinja extensions and a template Jinja cannot parse is an error rather than
silently skipped. A checker's negative control is at the end: each sees a hand-made broken catalog.
"""
import ast
import functools
import gettext
import re
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.util import pathmatch

from app import create_app
from app.i18n import GUEST_BLUEPRINTS
from config import Config, TestingConfig
from tests.guest_reach import guest_reach

ROOT = Path(__file__).resolve().parent.parent
SOURCE_LANGUAGE = "en"
GUEST_ONLY_LANGUAGES = tuple(code for code in Config.LANGUAGES if code not in Config.STAFF_LANGUAGES)
# Each catalog and the cfg whose extraction it holds.
CATALOGS = {**{code: "babel.cfg" for code in Config.STAFF_LANGUAGES if code != SOURCE_LANGUAGE},
            **{code: "babel-guest.cfg" for code in GUEST_ONLY_LANGUAGES}}
# Babel finds marked strings by the name of the function called, so every alias the code
# imports Flask-Babel's functions under must be a keyword (checked below). The Makefile's
# `messages` target must use the same (checked below too).
KEYWORDS = ["_l", "lazy_gettext", "lazy_pgettext:1c,2", "_lp:1c,2", "lazy_ngettext:1,2", "_ln:1,2"]
ALL_KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(KEYWORDS)}
# The Jinja extensions of the app's environment (app/formatting.py): templates use {% do %},
# and babel.cfg must give them to the extractor too.
JINJA_EXTENSIONS = {"jinja2.ext.do"}
# Flask-Babel's marking functions and the Babel keyword spec each one needs.
FLASK_BABEL_FUNCTIONS = {
    "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3),
    "lazy_gettext": None, "lazy_ngettext": (1, 2), "lazy_pgettext": ((1, "c"), 2),
    "lazy_npgettext": ((1, "c"), 2, 3),
}
# The placeholder of the count in a plural (Flask-Babel's and Jinja's ngettext fill in `num`).
NUMBER = re.compile(r"%\(num\)")
# Code the guest walk reaches but whose strings no guest reads: the privacy registry's table
# descriptions are for staff's privacy page; a guest's erasure reads only which columns it blanks.
NOT_SHOWN_TO_GUESTS = {"app/privacy/registry.py"}

# A printf conversion as Python's % operator reads it: %(name)s, %s, %5.2f, %%.
CONVERSION = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>.)",
                        re.DOTALL)


def conversions(text: str) -> list[str]:
    """All %-conversions of `text`, sorted (named ones by name and type); '%%' included."""
    return sorted(f"%({m['name']}){m['type']}" if m["name"] is not None else f"%{m['type']}"
                  for m in CONVERSION.finditer(text))


def key(message) -> tuple:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return (message.context, msgid)


def label(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{msgid!r}" + (f" (context {message.context!r})" if message.context else "")


def entries(catalog) -> list:
    return [m for m in catalog if m.id]


def forms(message) -> tuple:
    return message.string if isinstance(message.string, tuple) else (message.string,)


@functools.cache
def extract(cfg: str) -> Catalog:
    """The messages marked in the files of `cfg` (what `make messages` would put into its .pot)."""
    with (ROOT / cfg).open() as f:
        method_map, options_map = parse_mapping_cfg(f, str(ROOT / cfg))
    for pattern, method in method_map:
        if method == "jinja2":
            # Parse templates as the app renders them, and fail on a template Jinja cannot
            # parse: by default Babel skips such a file without a word, strings and all.
            options = options_map.setdefault(pattern, {})
            configured = {e.strip() for e in options.get("extensions", "").split(",") if e.strip()}
            options["extensions"] = ",".join(sorted(configured | JINJA_EXTENSIONS))
            options["silent"] = "false"
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=ALL_KEYWORDS):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


@pytest.fixture(scope="module", params=sorted(CATALOGS))
def language(request):
    return request.param


@pytest.fixture(scope="module")
def catalog(language):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


# --- the checkers: each returns what is wrong with a catalog, one line per entry ------------------

def wrong_header(catalog, language: str) -> list[str]:
    """The header must name the catalog's language and Babel's plural rule for it."""
    expected = get_plural(language)
    return [f"{what}: {found!r}, expected {wanted!r}" for what, found, wanted in (
        ("Language", str(catalog.locale), language),
        ("nplurals", catalog.num_plurals, expected.num_plurals),
        ("plural", catalog.plural_expr, expected.plural_expr)) if found != wanted]


def untranslated(catalog) -> list[str]:
    return [label(m) for m in entries(catalog)
            if len(forms(m)) != (catalog.num_plurals if m.pluralizable else 1)
            or not all(s and s.strip() for s in forms(m))]


def fuzzy(catalog) -> list[str]:
    return [label(m) for m in entries(catalog) if m.fuzzy] + (["the catalog header"] if catalog.fuzzy else [])


def single_number_forms(catalog) -> set[int]:
    """The plural forms that stand for one number only (of 0 to 999): German's 1; Arabic's 0, 1, 2."""
    choose, numbers = gettext.c2py(catalog.plural_expr), defaultdict(set)
    for n in range(1000):
        numbers[choose(n)].add(n)
    return {form for form, found in numbers.items() if len(found) == 1}


def placeholder_mismatches(catalog) -> list[str]:
    """Each translation must keep its source's placeholders. Every form of a plural is checked against
    msgid_plural, and a form that stands for one number only may say that number in words and leave
    out %(num)s ("Ein Termin", Arabic "يوم واحد"); a form for many numbers (Ukrainian 1, 21, 31, ...)
    must show it."""
    single, wrong = single_number_forms(catalog), []
    for message in entries(catalog):
        source = message.id[1] if message.pluralizable else message.id
        expected = conversions(source)
        for form, translation in enumerate(forms(message)):
            found = conversions(translation or "")
            in_words = form in single and message.pluralizable and \
                found == [c for c in expected if not NUMBER.match(c)]
            if translation and found != expected and not in_words:
                wrong.append(f"{label(message)} form {form}: {expected} -> {translation!r}: {found}")
    return wrong


def stray_percent_signs(catalog) -> list[str]:
    """Jinja's newstyle gettext applies `%` to every template string, so a lone % would break a page."""
    return [f"{label(m)} -> {s!r}" for m in entries(catalog) for s in forms(m) if s and (
        "%" in CONVERSION.sub("", s) or any(c["type"] not in "sdif%r" for c in CONVERSION.finditer(s)))]


def missing_from(catalog, extracted) -> list[str]:
    held = {key(m): m for m in entries(catalog)}

    def changed(message) -> bool:
        found = held[key(message)]
        return found.pluralizable != message.pluralizable or \
            (message.pluralizable and tuple(found.id) != tuple(message.id))

    missing = [label(m) for m in entries(extracted) if key(m) not in held]
    return missing + [f"{label(m)} (singular/plural changed)" for m in entries(extracted)
                      if key(m) in held and changed(m)]


# --- every catalog ------------------------------------------------------------------------------

def test_catalog_has_the_plural_forms_of_its_language(catalog, language):
    problems = wrong_header(catalog, language)
    assert not problems, f"the header of translations/{language}:\n" + "\n".join(problems)


def test_every_entry_is_translated(catalog):
    problems = untranslated(catalog)
    assert not problems, f"{len(problems)} entries of the {catalog.locale} catalog without a translation " \
        f"(of every plural form):\n" + "\n".join(problems)


def test_no_entry_is_fuzzy(catalog):
    problems = fuzzy(catalog)
    assert not problems, "fuzzy (check the translation, then remove the fuzzy flag):\n" + "\n".join(problems)


def test_translations_keep_the_placeholders_of_the_source(catalog):
    problems = placeholder_mismatches(catalog)
    assert not problems, "translations whose %-placeholders differ from the source:\n" + "\n".join(problems)


def test_translations_have_no_stray_percent_sign(catalog):
    problems = stray_percent_signs(catalog)
    assert not problems, "a % that is no placeholder (write %% for a percent sign):\n" + "\n".join(problems)


def test_every_string_in_the_sources_is_in_the_catalog(catalog, language):
    cfg = CATALOGS[language]
    problems = missing_from(catalog, extract(cfg))
    assert not problems, (
        f"{len(problems)} strings of the files in {cfg} are not (or not so) in the {catalog.locale} catalog. "
        "Run `make messages` and translate them. (If they were in the catalog before, check that `make "
        "messages` uses the keywords in KEYWORDS above.)\n" + "\n".join(problems))


# --- the catalogs, the Makefile and the code agree ----------------------------------------------

def test_every_language_has_a_catalog_and_every_catalog_a_language():
    on_disk = {p.parent.parent.name for p in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po")}
    assert on_disk == set(CATALOGS) == set(Config.LANGUAGES) - {SOURCE_LANGUAGE}


def test_make_messages_uses_these_keywords_and_updates_every_guest_catalog():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    keywords = re.search(r"^KEYWORDS\s*:=(.*)$", makefile, re.MULTILINE)[1].split("-k")
    locales = re.search(r"^GUEST_LOCALES\s*:=(.*)$", makefile, re.MULTILINE)[1].split()
    assert [k.strip() for k in keywords if k.strip()] == KEYWORDS
    assert tuple(locales) == GUEST_ONLY_LANGUAGES


def test_every_gettext_alias_in_the_code_is_extracted():
    """`from flask_babel import lazy_pgettext as _lp` marks nothing unless `_lp` is a keyword."""
    unknown = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                for alias in node.names:
                    if alias.name not in FLASK_BABEL_FUNCTIONS:
                        continue
                    name = alias.asname or alias.name
                    if name not in ALL_KEYWORDS or ALL_KEYWORDS[name] != FLASK_BABEL_FUNCTIONS[alias.name]:
                        unknown.append(f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name} as {name}")
    assert not unknown, ("strings marked with these names are not extracted; add them to KEYWORDS here "
                         "and as -k to `make messages` (e.g. -k _lp:1c,2):\n" + "\n".join(unknown))


# --- what a guest meets is in the guest catalogs ------------------------------------------------

@pytest.fixture(scope="module")
def guest_meets():
    """(the marked strings, the templates) a guest can meet: tests/guest_reach.py."""
    return guest_reach(create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://"), GUEST_BLUEPRINTS,
                       ALL_KEYWORDS)


def test_the_guest_walk_finds_guest_pages_and_mails_and_no_staff_page(guest_meets):
    """The negative control of the two tests below: the walk reads the code, and tells staff from guests."""
    strings, templates = guest_meets
    assert {"registrations/ticket.html", "base.html", "_components.html", "surveys/respond.html",
            "email/registration_confirmed_to_guest.txt"} <= templates
    assert not {t for t in templates if "staff" in t.split("/")[:-1] or t in ("staff.html", "door.html")}
    assert (None, "This event is fully booked.") in strings.strings


def test_babel_guest_cfg_covers_every_template_a_guest_meets(guest_meets):
    with (ROOT / "babel-guest.cfg").open() as f:
        method_map, _ = parse_mapping_cfg(f)
    patterns = [pattern for pattern, method in method_map if method == "jinja2"]
    uncovered = sorted(t for t in guest_meets[1] if not any(pathmatch(p, f"templates/{t}") for p in patterns))
    assert not uncovered, "guests read these templates, but babel-guest.cfg does not extract them (add " \
        "them, then `make messages`):\n" + "\n".join(uncovered)


def test_every_string_a_guest_meets_is_in_the_guest_catalogs(guest_meets):
    extracted = {key(m) for m in entries(extract("babel-guest.cfg"))}
    missing = sorted(f"{where}: {msgid!r}" for (context, msgid), where in guest_meets[0].strings.items()
                     if (context, msgid) not in extracted and where.split(":")[0] not in NOT_SHOWN_TO_GUESTS)
    assert not missing, "guest pages or mails show these strings, but babel-guest.cfg does not extract " \
        "their files (add the files, then `make messages`):\n" + "\n".join(missing)


# --- negative controls: each checker sees a hand-made broken catalog -----------------------------

def broken_catalog(language: str, plurals: dict) -> Catalog:
    """A catalog with one entry of each kind of mistake, and `plurals` (msgid pair -> forms)."""
    catalog = Catalog(locale=language, fuzzy=True)
    catalog.add("Fine", "ok")
    catalog.add("Untranslated", "")
    catalog.add("Fuzzy", "unsure", flags=["fuzzy"])
    catalog.add("Hello %(name)s", "hello %(nom)s")
    catalog.add("All of it", "zu 100 %")
    for pair, strings in plurals.items():
        catalog.add(pair, strings)
    return catalog


ARABIC_DAYS = ("%(num)s day", "%(num)s days")


def test_the_catalog_checkers_see_what_is_wrong():
    arabic = broken_catalog("ar", {
        ARABIC_DAYS: ("لا أيام", "يوم واحد", "يومان", "%(num)s أيام", "%(num)s يومًا", "%(num)s يوم"),
        ("%(num)s guest", "%(num)s guests"): ("a", "b", "c", "%(num)s d", "e", "%(num)s f"),
        ("%(num)s seat", "%(num)s seats"): ("a", "b", "c", "%(num)s d", "%(num)s e"),
    })
    assert wrong_header(arabic, "ar") == []
    ukrainian = get_plural("uk").plural_expr
    assert wrong_header(arabic, "uk") == ["Language: 'ar', expected 'uk'", "nplurals: 6, expected 3",
                                          f"plural: {arabic.plural_expr!r}, expected {ukrainian!r}"]
    assert untranslated(arabic) == ["'Untranslated'", "'%(num)s seat'"]
    assert fuzzy(arabic) == ["'Fuzzy'", "the catalog header"]
    # Arabic says 0, 1 and 2 in words; "guest" form 4 (11 to 99) and the others must show the number.
    assert single_number_forms(arabic) == {0, 1, 2}
    assert [line.split(":")[0] for line in placeholder_mismatches(arabic)] == [
        "'Hello %(name)s' form 0", "'%(num)s guest' form 4"]
    assert stray_percent_signs(arabic) == ["'All of it' -> 'zu 100 %'"]


def test_a_form_for_many_numbers_must_show_the_number():
    """Ukrainian form 0 is 1, 21, 31, ...: "один день" would be wrong for 21."""
    ukrainian = broken_catalog("uk", {ARABIC_DAYS: ("один день", "%(num)s дні", "%(num)s днів")})
    german = broken_catalog("de", {ARABIC_DAYS: ("ein Tag", "%(num)s Tage")})
    assert [line.split(":")[0] for line in placeholder_mismatches(ukrainian)] == [
        "'Hello %(name)s' form 0", "'%(num)s day' form 0"]
    assert [line.split(":")[0] for line in placeholder_mismatches(german)] == ["'Hello %(name)s' form 0"]


def test_a_string_missing_from_a_catalog_is_found():
    sources = Catalog()
    sources.add("Fine")
    sources.add("New")
    sources.add(ARABIC_DAYS)
    held = broken_catalog("de", {("%(num)s day", "%(num)s days in all"): ("ein Tag", "%(num)s Tage")})
    assert missing_from(held, sources) == ["'New'", "'%(num)s day' (singular/plural changed)"]
