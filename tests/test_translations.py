"""The German catalog: complete, not fuzzy, placeholders intact, and in step with the sources.

When a test here fails after you added or changed a user-facing string, refresh and translate:

    make messages            # pybabel extract + pybabel update --no-fuzzy-matching
    # translate the new entries in translations/de/LC_MESSAGES/messages.po
    .venv/bin/pybabel compile -d translations --statistics

The extraction here is `make messages`' (babel.cfg, the keywords below), except that templates
are parsed with the app's Jinja extensions and a template Jinja cannot parse is an error
rather than silently skipped.
"""
import ast
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "translations" / "de" / "LC_MESSAGES" / "messages.po"
# Babel finds marked strings by the name of the function called, so every alias the code
# imports Flask-Babel's functions under must be a keyword (checked below). Keep the
# Makefile's `messages` target in step with this list.
KEYWORDS = ["_l", "lazy_gettext", "lazy_pgettext:1c,2", "_lp:1c,2", "lazy_ngettext:1,2", "_ln:1,2"]
# The Jinja extensions of the app's environment (app/formatting.py): templates use {% do %},
# and babel.cfg must give them to the extractor too.
JINJA_EXTENSIONS = {"jinja2.ext.do"}
# Flask-Babel's marking functions and the Babel keyword spec each one needs.
FLASK_BABEL_FUNCTIONS = {
    "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3),
    "lazy_gettext": None, "lazy_ngettext": (1, 2), "lazy_pgettext": ((1, "c"), 2),
    "lazy_npgettext": ((1, "c"), 2, 3),
}

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


@pytest.fixture(scope="module")
def german():
    with CATALOG.open("rb") as f:
        return read_po(f, locale="de")


@pytest.fixture(scope="module")
def extracted():
    """The messages marked in the current sources (what `make messages` would put into the .pot)."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, str(ROOT / "babel.cfg"))
    for pattern, method in method_map:
        if method == "jinja2":
            # Parse templates as the app renders them, and fail on a template Jinja cannot
            # parse: by default Babel skips such a file without a word, strings and all.
            options = options_map.setdefault(pattern, {})
            configured = {e.strip() for e in options.get("extensions", "").split(",") if e.strip()}
            options["extensions"] = ",".join(sorted(configured | JINJA_EXTENSIONS))
            options["silent"] = "false"
    catalog = Catalog()
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(KEYWORDS)}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def test_every_gettext_alias_in_the_code_is_extracted():
    """`from flask_babel import lazy_pgettext as _lp` marks nothing unless `_lp` is a keyword."""
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(KEYWORDS)}
    unknown = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                for alias in node.names:
                    if alias.name not in FLASK_BABEL_FUNCTIONS:
                        continue
                    name = alias.asname or alias.name
                    if name not in keywords or keywords[name] != FLASK_BABEL_FUNCTIONS[alias.name]:
                        unknown.append(f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name} as {name}")
    assert not unknown, ("strings marked with these names are not extracted; add them to KEYWORDS here "
                         "and as -k to `make messages` (e.g. -k _lp:1c,2):\n" + "\n".join(unknown))


def test_german_catalog_has_two_plural_forms(german):
    assert german.num_plurals == 2
    assert german.plural_expr == "(n != 1)"


def test_every_entry_is_translated(german):
    untranslated = []
    for message in entries(german):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        forms = german.num_plurals if message.pluralizable else 1
        if len(strings) != forms or not all(s and s.strip() for s in strings):
            untranslated.append(label(message))
    assert not untranslated, f"{len(untranslated)} entries without a German translation:\n" + \
        "\n".join(untranslated)


def test_no_entry_is_fuzzy(german):
    fuzzy = [label(m) for m in entries(german) if m.fuzzy]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the fuzzy flag):\n" + "\n".join(fuzzy)
    assert not german.fuzzy, "the catalog header is marked fuzzy"


def test_translations_keep_the_placeholders_of_the_source(german):
    wrong = []
    for message in entries(german):
        if message.pluralizable:
            # German: msgstr[0] is the singular (msgid), msgstr[1] the plural (msgid_plural).
            pairs = list(zip(message.id, message.string))
        else:
            pairs = [(message.id, message.string)]
        for source, translation in pairs:
            if not translation:
                continue  # reported by test_every_entry_is_translated
            if conversions(source) != conversions(translation):
                wrong.append(f"{source!r}: {conversions(source)}\n    -> {translation!r}: "
                             f"{conversions(translation)}")
    assert not wrong, "translations whose %-placeholders differ from the source:\n" + "\n".join(wrong)


def test_translations_have_no_stray_percent_sign(german):
    """Jinja's newstyle gettext applies `%` to every template string, so a lone % would break a page."""
    stray = []
    for message in entries(german):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for translation in strings:
            if translation and "%" in CONVERSION.sub("", translation):
                stray.append(f"{label(message)} -> {translation!r}")
            elif translation and any(m["type"] not in "sdif%r" for m in CONVERSION.finditer(translation)):
                stray.append(f"{label(message)} -> {translation!r}")
    assert not stray, "a % that is no placeholder (write %% for a percent sign):\n" + "\n".join(stray)


def test_every_string_in_the_sources_is_in_the_german_catalog(german, extracted):
    catalog = {key(m): m for m in entries(german)}
    missing, plural_mismatch = [], []
    for message in entries(extracted):
        found = catalog.get(key(message))
        if found is None:
            missing.append(label(message))
        elif found.pluralizable != message.pluralizable or \
                (message.pluralizable and tuple(found.id) != tuple(message.id)):
            plural_mismatch.append(label(message))
    assert not missing, (
        f"{len(missing)} strings in app/ or templates/ are not in the German catalog. Run `make messages`, "
        "translate them in translations/de/LC_MESSAGES/messages.po and compile. (If they were in the "
        "catalog before, check that `make messages` uses the keywords in KEYWORDS above.)\n"
        + "\n".join(missing)
    )
    assert not plural_mismatch, "singular/plural of these entries changed in the sources; run " \
        "`make messages` and translate again:\n" + "\n".join(plural_mismatch)
