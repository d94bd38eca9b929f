"""No text a person reads is left out of the catalogs: a word written straight into a template, or a
message the Python code shows unmarked, stays English (or German) on every page in every language.

Templates: the text of each template outside Jinja (outside {{ _() }}, {% trans %} and every
other expression) is read as HTML; what is left of it after tags, comments, entities, digits and
punctuation, and the attributes people read (title, alt, placeholder, aria-label, the value of a
submit input), must hold no word. Mail .txt templates are read as plain text. A word in a block
that the parent template places inside a tag (`<body class="layout-{% block layout %}`) is no text.

Python: flash(), ValidationError(), a DomainError or its subclasses (and their class-level
`message`), a form field's label and description, a validator's message, SelectChoice labels,
literal choices and labelled enum members must not be given a plain string (or an f-string).

Each checker takes source text and returns the offending places, so that a hand-written bad
example beside it (the negative controls at the end) shows it can see what it looks for.
"""
import ast
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, nodes

from tests.test_translations import JINJA_EXTENSIONS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), extensions=["jinja2.ext.i18n", *JINJA_EXTENSIONS])

# Text in templates that is not language, with why. Keep it short: a word people read goes into _().
NOT_LANGUAGE = {
    "Podium": "the product's name, the same in every language",
    "Outlook.com": "the address and name of Microsoft's calendar; no language writes it otherwise",
}
ALLOWED = re.compile("|".join(rf"(?<!\w){re.escape(name)}(?!\w)" for name in NOT_LANGUAGE))
WORD = re.compile(r"[^\W\d_]+")
# A campaign text's placeholder ({name}, {link}): staff type it as it is in every language.
PLACEHOLDER = re.compile(r"\{\w+\}")
# Attributes whose value people read (or hear from a screen reader).
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
SUBMIT_INPUTS = {"submit", "button", "reset"}  # an <input> of these types shows its value
# A Jinja expression or tag in the text: separates words, breaks no HTML tag.
GAP = " "
BLOCK_MARK = re.compile("\x02(/?)([^\x03]*)\x03")


def words(text: str) -> list[str]:
    return WORD.findall(ALLOWED.sub(" ", PLACEHOLDER.sub(" ", BLOCK_MARK.sub(" ", text))))


def template_text(tree: nodes.Template) -> str:
    """The template's own text, in order and on its lines: each Jinja construct a gap, a string
    printed as it is (`{{ "Save" }}`) as text, and each block between markers."""
    out, line = [], 1

    def emit(text: str, lineno: int | None = None) -> None:
        nonlocal line
        if lineno and lineno > line:
            out.append("\n" * (lineno - line))
            line = lineno
        out.append(text)
        line += text.count("\n")

    def visit(node: nodes.Node) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    emit(child.data, child.lineno)
                elif isinstance(child, nodes.Const) and isinstance(child.value, str):
                    emit(child.value, child.lineno)
                else:
                    emit(GAP)
        elif isinstance(node, nodes.Block):
            emit(f"\x02{node.name}\x03")
            for child in node.body:
                visit(child)
            emit(f"\x02/{node.name}\x03")
        else:
            emit(GAP)
            for child in node.iter_child_nodes():
                visit(child)
    visit(tree)
    return "".join(out)


@dataclass
class TemplateWords:
    """What one template shows unmarked: (line, word, the blocks it stands in); the blocks it places
    inside a tag; the template it extends."""

    found: list[tuple[int, str, frozenset]]
    blocks_in_tags: set[str]
    parent: str | None


class _Reader(HTMLParser):
    """Words of an HTML text outside tags, scripts and styles, and in the attributes people read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.skipping, self.found, self.blocks_in_tags = [], 0, [], set()

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in ("script", "style")
        self.blocks_in_tags |= {name for end, name in BLOCK_MARK.findall(self.get_starttag_text()) if not end}
        submit = tag == "input" and dict(attrs).get("type") in SUBMIT_INPUTS
        shown = READ_ATTRIBUTES | ({"value"} if submit else set())
        self.found += [(self.getpos()[0], f'{name}="{word}"', frozenset(self.blocks))
                       for name, value in attrs if name in shown and value for word in words(value)]

    def handle_endtag(self, tag):
        self.skipping -= tag in ("script", "style")

    def handle_data(self, data):
        line = self.getpos()[0]
        for piece in re.split("(\x02[^\x03]*\x03)", data):
            mark = BLOCK_MARK.fullmatch(piece)
            if mark:
                self.blocks = self.blocks[:-1] if mark[1] else self.blocks + [mark[2]]
            elif not self.skipping:
                self.found += [(line + n, word, frozenset(self.blocks))
                               for n, text in enumerate(piece.split("\n")) for word in words(text)]
            line += piece.count("\n")


def read_template(source: str, name: str) -> TemplateWords:
    """The words of one template that no gettext call holds (mails' .txt read as plain text)."""
    tree = ENV.parse(source, name=name)
    extends = tree.find(nodes.Extends)
    parent = extends.template.value if extends and isinstance(extends.template, nodes.Const) else None
    text = template_text(tree)
    if name.endswith(".txt"):
        return TemplateWords([(n, w, frozenset()) for n, line in enumerate(text.split("\n"), 1)
                              for w in words(line)], set(), parent)
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return TemplateWords(reader.found, reader.blocks_in_tags, parent)


def unmarked_in_templates(sources: dict[str, str]) -> list[str]:
    """Every word outside the marked strings of the templates (name -> source), as "name:line: word";
    a block's words count unless a template it extends places that block inside a tag."""
    read = {name: read_template(source, name) for name, source in sources.items()}
    problems = []
    for name, template in sorted(read.items()):
        in_tags, parent = set(), template.parent
        while parent in read:
            in_tags |= read[parent].blocks_in_tags
            parent = read[parent].parent
        problems += [f"{name}:{line}: {word}" for line, word, blocks in template.found
                     if not blocks & in_tags]
    return problems


def template_sources() -> dict[str, str]:
    return {p.relative_to(TEMPLATES).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(TEMPLATES.rglob("*")) if p.suffix in (".html", ".txt")}


# --- Python ---------------------------------------------------------------------------------------

# Calls whose first argument (or `message=`) people read; a DomainError subclass is added per tree.
MESSAGE_CALLS = {"flash", "ValidationError", "DomainError"}
VALIDATORS = {"DataRequired", "InputRequired", "Optional", "Length", "NumberRange", "Email", "EqualTo",
              "Regexp", "URL", "AnyOf", "NoneOf"}
# Errors whose messages are not for people, with why.
NOT_FOR_PEOPLE = {
    "MalformedBody": "the check-in API's answer to a program (app/checkin/payloads.py): English on purpose",
}


def _name(node) -> str:
    return getattr(node, "id", None) or getattr(node, "attr", None) or ""


def _subclasses(classes: list[ast.ClassDef], root: str) -> set[str]:
    """The names of `root` and of every class that derives from it."""
    names, grown = {root}, True
    while grown:
        new = {c.name for c in classes if c.name not in names and any(_name(b) in names for b in c.bases)}
        names, grown = names | new, bool(new)
    return names


def _plain_text(node) -> bool:
    """A str literal, an f-string or a concatenation of them, with a word in it: nothing marked it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORD.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_plain_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _plain_text(node.left) or _plain_text(node.right)
    return False


def _keywords(call: ast.Call, *names: str) -> list:
    return [k.value for k in call.keywords if k.arg in names]


def _pairs(node) -> list:
    """The labels of literal (value, label) pairs in a list or tuple (or a sum of them)."""
    if isinstance(node, ast.BinOp):
        return _pairs(node.left) + _pairs(node.right)
    elements = node.elts if isinstance(node, (ast.List, ast.Tuple)) else []
    return [e.elts[1] for e in elements if isinstance(e, ast.Tuple) and len(e.elts) == 2]


def _shown(node, errors: set[str], enums: set[str]) -> list:
    """The expressions of `node` that people read."""
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in MESSAGE_CALLS or (name in errors and name not in NOT_FOR_PEOPLE):
            return node.args[:1] + _keywords(node, "message")
        if name.endswith("Field"):
            return node.args[:1] + _keywords(node, "label", "description") + \
                [p for choices in _keywords(node, "choices") for p in _pairs(choices)]
        if name == "SelectChoice":
            return node.args[1:2] + _keywords(node, "label")
        return _keywords(node, "message") if name in VALIDATORS else []
    if isinstance(node, ast.Assign) and any(_name(t) == "choices" for t in node.targets):
        return _pairs(node.value)
    if isinstance(node, ast.ClassDef) and node.name in enums:
        return [s.value.elts[1] for s in node.body if isinstance(s, ast.Assign) and
                isinstance(s.value, ast.Tuple) and len(s.value.elts) == 2]
    if isinstance(node, ast.ClassDef) and node.name in errors and node.name not in NOT_FOR_PEOPLE:
        return [s.value for s in node.body if isinstance(s, ast.Assign) and any(_name(t) == "message"
                                                                               for t in s.targets)]
    return []


def unmarked_in_python(sources: dict[str, str]) -> list[str]:
    """Every place in the modules (path -> source) that shows people a string nothing marked."""
    walked = {path: list(ast.walk(ast.parse(source, filename=path))) for path, source in sources.items()}
    classes = [node for found in walked.values() for node in found if isinstance(node, ast.ClassDef)]
    errors = _subclasses(classes, "DomainError")
    enums = _subclasses(classes, "LabelledEnum") - {"LabelledEnum"}
    return [f"{path}:{shown.lineno}: {ast.unparse(shown)}" for path, found in walked.items()
            for node in found for shown in _shown(node, errors, enums) if _plain_text(shown)]


def app_sources() -> dict[str, str]:
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted((ROOT / "app").rglob("*.py"))}


# --- the tests ------------------------------------------------------------------------------------

def test_every_word_in_a_template_is_marked_for_translation():
    problems = unmarked_in_templates(template_sources())
    assert not problems, ("text outside {{ _() }} / {% trans %}: mark it with an English msgid, or, if it is "
                          "no language (a name), add it to NOT_LANGUAGE with why:\n" + "\n".join(problems))


def test_every_message_the_code_shows_is_marked_for_translation():
    problems = unmarked_in_python(app_sources())
    assert not problems, "strings shown to people but not marked (wrap them in _l() or gettext):\n" + \
        "\n".join(problems)


# --- negative controls: each checker sees hand-written unmarked text ----------------------------

BAD_TEMPLATES = {
    "base.html": '<html>\n<body class="layout-{% block layout %}guest{% endblock %}" '
                 'title="{{ _("Fine") }}">\n{% block content %}{% endblock %} · Podium</body></html>',
    "page.html": '{% extends "base.html" %}{% block layout %}door{% endblock %}{% block content %}\n'
                 "<h1>{{ _('Marked') }}</h1> <p>Unmarked text &amp; 12 more</p>\n"
                 '<img alt="A photo" src="x.png"><input type="submit" value="Send"><button value="save">'
                 "{{ _('Save') }}</button><a title=\"{{ _('Fine') }}\" aria-label=\"Back\">"
                 "{{ 'Printed' }}</a>\n"
                 '<script>let words = "not shown";</script><!-- a comment -->'
                 '<span{% if x %} class="nowrap"{% endif %}>{{ x }}</span>{% trans %}Fine{% endtrans %}'
                 "<code>{name}</code> Outlook.com{% endblock %}",
    "mail.txt": "{{ _('Hello') }}\nSee you {{ when }}\n",
}


def test_the_template_checker_sees_unmarked_words_and_only_those():
    assert sorted(unmarked_in_templates(BAD_TEMPLATES)) == sorted([
        "mail.txt:2: See", "mail.txt:2: you",
        "page.html:2: Unmarked", "page.html:2: text", "page.html:2: more",
        'page.html:3: alt="A"', 'page.html:3: alt="photo"', 'page.html:3: value="Send"',
        'page.html:3: aria-label="Back"', "page.html:3: Printed",
    ])


BAD_MODULE = '''
class DomainError(Exception):
    message = _l("Fine")
class Refused(DomainError):
    message = "Not now"
class MalformedBody(DomainError):
    pass
class Colour(LabelledEnum):
    red = "red", "Red"
    blue = "blue", _l("Blue")
def view(form, name):
    flash("Saved")
    flash(f"Hello {name}")
    flash(_("Fine"))
    flash(message)
    form.kind.choices = [("a", "Apple"), ("b", _l("Banana"))]
    raise Refused("No way", field="name")
def api(body):
    raise MalformedBody("for programs")
class Form:
    title = StringField("Title", validators=[DataRequired(message="Give a title")])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("x", "Ex"), SelectChoice("y", _l("Why"))])
    fine = StringField(_l("Fine"), description=_l("Hint"))
    def validate_title(self, field):
        raise ValidationError("Wrong")
'''


def test_the_python_checker_sees_unmarked_messages_and_only_those():
    assert sorted(unmarked_in_python({"bad.py": BAD_MODULE})) == sorted([
        "bad.py:5: 'Not now'", "bad.py:9: 'Red'", "bad.py:12: 'Saved'", "bad.py:13: f'Hello {name}'",
        "bad.py:16: 'Apple'", "bad.py:17: 'No way'", "bad.py:21: 'Title'", "bad.py:21: 'Give a title'",
        "bad.py:22: 'Ex'", "bad.py:25: 'Wrong'",
    ])
