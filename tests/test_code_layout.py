"""The shape of the code in app/, read from the source files and never imported.

These are the rules a reviewer notices first when opening the tree: which
feature leans on which, a module that has grown past what one person reads in
one sitting, a public function that does not say what it is for, a status
enum written the old way. Each rule is a small checker that takes the source
as text (path -> source) and returns every offending place as
``path:line: what``; the real tree is one input, and a hand-written bad example
beside each rule is another. Those negative controls show that the checker
sees a violation, so a rule cannot pass because it read nothing.

Nothing here imports app modules: importing would run the very import graph
under test, and a cycle would fail with an ImportError instead of a list of
places to fix.

``python -m tests.test_code_layout`` prints "the house": for each feature, the
features its non-view modules stand on.
"""
from __future__ import annotations

import ast
import functools
import itertools
import re
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Modules directly in app/ that wire everything together; they may import
# anything, and nothing else may import them (app/models.py pulls in every
# feature, so leaning on it from below would be a cycle in disguise).
ENTRY_POINTS = frozenset({"app/__init__.py", "app/cli.py", "app/demo.py", "app/models.py"})

# The request handlers of a feature (views.py, staff_views.py, series_views.py, ...; api.py). They
# stand on the roof: they may use the non-view modules of any feature, and nothing below them may use them.
def is_view_module(filename: str) -> bool:
    """Whether a module of a feature holds request handlers."""
    return filename.endswith("views.py") or filename == "api.py"

# Which features the non-view modules of a feature may import, besides itself
# and the base modules (app/*.py). A new feature package must be placed here
# before the test passes, so this table stays the map of the house.
ALLOWED: dict[str, frozenset[str]] = {
    "auth": frozenset(),
    "events": frozenset(),
    "contacts": frozenset(),
    "registrations": frozenset({"events"}),
    "mailing": frozenset({"events", "registrations"}),
    "checkin": frozenset({"auth", "events", "registrations"}),
    "campaigns": frozenset({"contacts", "events", "registrations", "mailing"}),
    "network": frozenset({"auth", "campaigns", "contacts", "events", "mailing", "registrations"}),
    "surveys": frozenset({"auth", "campaigns", "contacts", "events", "mailing", "network", "registrations"}),
    "privacy": frozenset({"auth", "campaigns", "checkin", "contacts", "events", "mailing", "network",
                          "registrations", "surveys"}),
    "reports": frozenset({"auth", "campaigns", "checkin", "contacts", "events", "mailing", "network",
                          "privacy", "registrations", "surveys"}),
}

# Features that must never lean on each other in both directions.
ONE_WAY = ("contacts", "campaigns", "mailing")

MAX_LINES = 400

Tree = dict[str, str]  # "app/events/models.py" -> its source


# --- reading the tree ---------------------------------------------------------------------------

def read_tree(root: Path = ROOT) -> Tree:
    """Every Python file under root/app, keyed by its path relative to root."""
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted((root / "app").rglob("*.py"))}


@functools.cache
def app_tree() -> Tree:
    """The real tree, read once per run."""
    tree = read_tree()
    assert "app/__init__.py" in tree, f"no app/__init__.py under {ROOT}: the checks would read nothing"
    return tree


@functools.cache
def parse(source: str, path: str) -> ast.Module:
    """The syntax tree of one file.

    Compiling source can warn (an invalid escape sequence, for instance); that is
    a matter for the module's own tests and linters, not for its layout, and with
    warnings as errors it would hide every layout finding behind it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, filename=path)


def module_name(path: str) -> str:
    """app/events/models.py -> app.events.models; app/events/__init__.py -> app.events."""
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def feature_packages(tree: Tree) -> set[str]:
    """The directories directly in app/ that hold an __init__.py."""
    return {m.group(1) for path in tree if (m := re.fullmatch(r"app/([^/]+)/__init__\.py", path))}


# --- rule 1: imports flow one way ---------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """Where a module stands in the house."""
    kind: str  # "entry", "base" or "feature"
    feature: str | None = None
    view: bool = False


def place_of(module: str, features: set[str]) -> Place:
    """Classify a dotted module name inside app."""
    parts = module.split(".")
    if len(parts) == 1:
        return Place("entry")
    if parts[1] in features:
        is_view = len(parts) >= 3 and is_view_module(parts[-1] + ".py")
        return Place("feature", parts[1], is_view)
    if f"app/{parts[1]}.py" in ENTRY_POINTS:
        return Place("entry")
    return Place("base")


def imports_of(path: str, tree: Tree) -> list[tuple[int, str]]:
    """(line, module) for every import of a module inside app, relative imports resolved.

    ``from ..registrations import event_changes`` names the module
    app.registrations.event_changes when that file exists, otherwise the package.
    Imports inside functions count too: they are the same dependency, only hidden.
    """
    modules = {module_name(p) for p in tree}
    here = module_name(path)
    package = here if path.endswith("/__init__.py") else here.rpartition(".")[0]
    found = []
    for node in ast.walk(parse(tree[path], path)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names
                      if alias.name == "app" or alias.name.startswith("app.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                if node.level - 1 >= len(parts):
                    continue  # above app/: not ours
                base = ".".join(parts[:len(parts) - (node.level - 1)])
                if node.module:
                    base += "." + node.module
            else:
                base = node.module or ""
            if base != "app" and not base.startswith("app."):
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((node.lineno, submodule if submodule in modules else base))
    return sorted(set(found))  # one entry per module and line, however many names it imports


def check_imports(tree: Tree, allowed: dict[str, frozenset[str]] = ALLOWED) -> list[str]:
    """Every import that goes against the table, and every feature the table does not place."""
    features = feature_packages(tree)
    problems = [f"app/{name}/__init__.py:1: feature package {name!r} is not placed in ALLOWED "
                f"in tests/test_code_layout.py" for name in sorted(features - allowed.keys())]
    for path in sorted(tree):
        if path in ENTRY_POINTS:
            continue
        importer = place_of(module_name(path), features)
        for line, target in imports_of(path, tree):
            why = _judge(importer, place_of(target, features), allowed)
            if why:
                problems.append(f"{path}:{line}: imports {target}, {why}")
    return problems


def _judge(importer: Place, target: Place, allowed: dict[str, frozenset[str]]) -> str | None:
    """Why this import is not allowed, or None."""
    if target.kind == "entry":
        return "an entry point, which only entry points may import"
    if importer.kind == "base":
        return "but base modules (app/*.py) import no feature" if target.kind == "feature" else None
    if target.kind == "base" or target.feature == importer.feature:
        return None
    own = importer.feature
    may = allowed.get(own, frozenset())
    if importer.view:
        if not target.view or target.feature in may:
            return None
        return (f"but views of {own} may import only the views of "
                f"{', '.join(sorted(may | {own}))}")
    if target.feature not in may:
        return f"but {own} may import only {', '.join(sorted(may)) or 'base modules'}"
    if target.view:
        return f"a view module of {target.feature}, which only view modules may import"
    return None


# --- the house ----------------------------------------------------------------------------------

def house(tree: Tree) -> dict[str, dict[str, list[str]]]:
    """For each feature, the other features its non-view modules import, with the places."""
    features = feature_packages(tree)
    drawing: dict[str, dict[str, list[str]]] = {name: {} for name in sorted(features)}
    for path in sorted(tree):
        here = place_of(module_name(path), features)
        if path in ENTRY_POINTS or here.kind != "feature" or here.view:
            continue
        for line, target in imports_of(path, tree):
            there = place_of(target, features)
            if there.kind == "feature" and there.feature != here.feature:
                drawing[here.feature].setdefault(there.feature, []).append(f"{path}:{line}")
    return drawing


def render_house(tree: Tree | None = None) -> str:
    """One line per feature: ``campaigns -> contacts, events, mailing, registrations``."""
    drawing = house(app_tree() if tree is None else tree)
    return "\n".join(f"{name} -> {', '.join(sorted(deps)) or '(base only)'}"
                     for name, deps in sorted(drawing.items()))


def find_cycle(graph: dict[str, set[str]] | dict[str, dict[str, list[str]]]) -> list[str] | None:
    """A cycle as [a, b, ..., a] found by depth-first search, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        for following in sorted(graph.get(node, ())):
            cycle = visit(following)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start)
        if cycle:
            return cycle
    return None


def check_house(drawing: dict[str, dict[str, list[str]]]) -> list[str]:
    """A cycle in the house, and every pair of ONE_WAY features that lean on each other."""
    problems = []
    cycle = find_cycle(drawing)
    if cycle:
        problems.append("cycle: " + " -> ".join(cycle))
        for a, b in itertools.pairwise(cycle):
            problems += [f"{place}: {a} -> {b}" for place in drawing[a][b]]
    for a, b in itertools.combinations(ONE_WAY, 2):
        if b in drawing.get(a, {}) and a in drawing.get(b, {}):
            problems.append(f"{a} and {b} import each other")
            problems += [f"{place}: {a} -> {b}" for place in drawing[a][b]]
            problems += [f"{place}: {b} -> {a}" for place in drawing[b][a]]
    return problems


# --- rule 2: module length ----------------------------------------------------------------------

def check_length(tree: Tree, limit: int = MAX_LINES) -> list[str]:
    """Every module longer than limit lines, pointing at the first line over it."""
    return [f"{path}:{limit + 1}: {count} lines, {count - limit} over the limit of {limit}"
            for path, source in sorted(tree.items()) if (count := len(source.splitlines())) > limit]


# --- rule 3: docstrings -------------------------------------------------------------------------

def _module_level_functions(body: list[ast.stmt]):
    """Functions defined at module level, also under a module-level if/try/with; not in classes."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody"):
                yield from _module_level_functions(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                yield from _module_level_functions(handler.body)


def _public_methods(body: list[ast.stmt]):
    """(class name, method) for the public methods (properties too) of module-level classes."""
    for node in body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_"):
                    yield node.name, item


def check_docstrings(tree: Tree) -> list[str]:
    """Every public module-level function (views included) and every public method of a
    module-level class without a docstring."""
    problems = []
    for path, source in sorted(tree.items()):
        module = parse(source, path).body
        problems += [f"{path}:{node.lineno}: public function {node.name}() has no docstring"
                     for node in _module_level_functions(module)
                     if not node.name.startswith("_") and not (ast.get_docstring(node) or "").strip()]
        problems += [f"{path}:{node.lineno}: public method {cls}.{node.name}() has no docstring"
                     for cls, node in _public_methods(module) if not (ast.get_docstring(node) or "").strip()]
    return sorted(problems, key=lambda line: (line.split(":")[0], int(line.split(":")[1])))


# --- rule 4: StrEnum ----------------------------------------------------------------------------

def _qualified(expr: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(expr, ast.Name):
        return aliases.get(expr.id, expr.id)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        return f"{aliases.get(expr.value.id, expr.value.id)}.{expr.attr}"
    return None


def check_str_enums(tree: Tree) -> list[str]:
    """Every ``class X(str, enum.Enum)``, however enum was imported."""
    problems = []
    for path, source in sorted(tree.items()):
        module = parse(source, path)
        aliases: dict[str, str] = {}
        for node in ast.walk(module):
            if isinstance(node, ast.Import):
                aliases.update({a.asname: a.name for a in node.names if a.asname})
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                aliases.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
        for node in ast.walk(module):
            if isinstance(node, ast.ClassDef):
                bases = {_qualified(base, aliases) for base in node.bases}
                if {"str", "enum.Enum"} <= bases:
                    problems.append(f"{path}:{node.lineno}: class {node.name} subclasses str and enum.Enum; "
                                    f"make it an enum.StrEnum")
    return problems


# --- the tests on the real tree -----------------------------------------------------------------

def _report(problems: list[str]) -> str:
    return f"{len(problems)} place(s):\n" + "\n".join(problems)


def test_the_checks_read_the_real_app():
    """Guards every rule below against passing because it found nothing to read."""
    tree = app_tree()
    assert len(tree) > 20
    assert feature_packages(tree) >= {"auth", "events", "registrations", "mailing", "checkin"}
    assert any(house(tree).values()), "no feature imports another: the import resolver reads nothing"


def test_imports_flow_one_way_between_features():
    """A feature that reaches sideways or upwards turns the house into a knot nobody can change alone."""
    problems = check_imports(app_tree())
    assert not problems, _report(problems)


def test_the_house_has_no_cycle_and_contacts_campaigns_mailing_are_one_way():
    """A cycle means no feature of it can be understood, tested or moved on its own."""
    problems = check_house(house(app_tree()))
    assert not problems, render_house() + "\n\n" + _report(problems)


def test_no_module_is_over_400_lines():
    """Past a few hundred lines a module mixes concerns and nobody reads it whole."""
    problems = check_length(app_tree())
    assert not problems, _report(problems)


def test_every_public_function_has_a_docstring():
    """Views, services and helpers are the API of a feature; one line says what each is for."""
    problems = check_docstrings(app_tree())
    assert not problems, _report(problems)


def test_no_status_enum_is_a_str_enum_subclass():
    """``enum.StrEnum`` formats as its value; ``(str, enum.Enum)`` prints ``Status.X`` in f-strings."""
    problems = check_str_enums(app_tree())
    assert not problems, _report(problems)


# --- negative controls: each checker sees a hand-written violation ------------------------------

def _features(files: Tree) -> Tree:
    """A small tree with every placed feature and a base module, plus the given files."""
    tree = {"app/__init__.py": "from .events.views import bp\n", "app/text.py": "import re\n"}
    tree.update({f"app/{name}/__init__.py": "" for name in ALLOWED})
    tree.update(files)
    return tree


def test_a_well_built_tree_passes_the_import_check():
    """The positive control: every allowed form of import, so the checker does not flag everything."""
    tree = _features({
        "app/events/models.py": "from ..text import clean\nfrom .. import text\n",
        "app/events/views.py": "from . import models\nfrom ..campaigns import services\n",
        "app/registrations/event_changes.py": "from ..events.models import Event\n",
        "app/mailing/guest_mails.py": "from ..registrations import event_changes\nimport app.events.models\n",
        "app/campaigns/services.py": "from ..mailing.guest_mails import x\nfrom ..contacts import models\n",
        "app/campaigns/views.py": "from ..registrations.views import y\nfrom .services import z\n",
        "app/registrations/views.py": "from ..campaigns import services\n",
        "app/campaigns/models.py": "", "app/contacts/models.py": "",
    })
    assert check_imports(tree) == []


@pytest.mark.parametrize(("files", "expected"), [
    ({"app/text.py": "from .events.models import Event\n"},
     "app/text.py:1: imports app.events.models, but base modules (app/*.py) import no feature"),
    ({"app/registrations/services.py": "import re\nfrom ..campaigns.services import send\n"},
     "app/registrations/services.py:2: imports app.campaigns.services, "
     "but registrations may import only events"),
    ({"app/events/services.py": "from ..registrations import event_changes\n",
      "app/registrations/event_changes.py": ""},
     "app/events/services.py:1: imports app.registrations.event_changes, "
     "but events may import only base modules"),
    ({"app/mailing/sender.py": "def f():\n    from .. import campaigns\n"},
     "app/mailing/sender.py:2: imports app.campaigns, but mailing may import only events, registrations"),
    ({"app/checkin/services.py": "import app.contacts.models\n"},
     "app/checkin/services.py:1: imports app.contacts.models, but checkin may import only auth, events,"),
    ({"app/registrations/views.py": "from ..campaigns.views import bp\n", "app/campaigns/views.py": ""},
     "app/registrations/views.py:1: imports app.campaigns.views, but views of registrations may import only "
     "the views of events, registrations"),
    ({"app/mailing/messages.py": "from ..registrations import views\n", "app/registrations/views.py": ""},
     "app/mailing/messages.py:1: imports app.registrations.views, a view module of registrations, "
     "which only view modules may import"),
    ({"app/events/services.py": "from .. import db\n"},
     "app/events/services.py:1: imports app, an entry point"),
    ({"app/outbox.py": "from .models import Event\n"},
     "app/outbox.py:1: imports app.models, an entry point"),
    ({"app/polls/__init__.py": ""},
     "app/polls/__init__.py:1: feature package 'polls' is not placed in ALLOWED"),
])
def test_the_import_check_sees_a_wrong_import(files, expected):
    """Each hand-written bad import, in the relative forms app/ uses, is reported at its line."""
    problems = check_imports(_features(files))
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_the_house_check_sees_a_cycle_and_a_two_way_pair():
    """Two features leaning on each other are drawn as such, and reported with the imports to cut."""
    tree = _features({
        "app/contacts/services.py": "from ..campaigns import models\n",
        "app/campaigns/models.py": "from ..contacts.services import find\n",
    })
    assert render_house(tree).splitlines() == [
        "auth -> (base only)", "campaigns -> contacts", "checkin -> (base only)", "contacts -> campaigns",
        "events -> (base only)", "mailing -> (base only)", "network -> (base only)", "privacy -> (base only)",
        "registrations -> (base only)", "reports -> (base only)", "surveys -> (base only)"]
    problems = check_house(house(tree))
    assert problems[0] == "cycle: campaigns -> contacts -> campaigns"
    assert "contacts and campaigns import each other" in problems
    assert "app/contacts/services.py:1: contacts -> campaigns" in problems
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_length_check_sees_a_long_module():
    """Exactly at the limit is fine; one line past it is reported at the first line too many."""
    tree = {"app/short.py": "x = 1\n" * MAX_LINES, "app/long.py": "x = 1\n" * (MAX_LINES + 12)}
    assert check_length(tree) == [f"app/long.py:{MAX_LINES + 1}: {MAX_LINES + 12} lines, 12 over the limit "
                                  f"of {MAX_LINES}"]


def test_the_docstring_check_sees_a_bare_public_function():
    """A decorated view counts; private names, methods and helpers inside functions do not."""
    tree = {"app/events/views.py": textwrap.dedent('''\
        @bp.get("/")
        def index():
            return "bare view"

        async def fetch():
            """Has one."""

        if True:
            def conditional():
                pass

        def _private():
            pass

        def outer():
            """Has one; its inner helper need not."""
            def inner():
                pass

        class Form:
            def method(self):
                pass

            def _helper(self):
                pass

            def __init__(self):
                pass
        ''')}
    assert check_docstrings(tree) == ["app/events/views.py:2: public function index() has no docstring",
                                      "app/events/views.py:9: public function conditional() has no docstring",
                                      "app/events/views.py:21: public method Form.method() has no docstring"]


def test_the_enum_check_sees_a_str_enum_subclass():
    """However enum is imported and in whichever order the bases stand; StrEnum and plain Enum pass."""
    tree = {"app/a.py": "import enum\nclass Status(str, enum.Enum):\n    A = 'a'\n",
            "app/b.py": "from enum import Enum\nclass Kind(str, Enum):\n    B = 'b'\n",
            "app/c.py": "import enum as e\nclass Mode(e.Enum, str):\n    C = 'c'\n",
            "app/d.py": "import enum\nclass Fine(enum.StrEnum):\n    D = 'd'\n"
                        "class Plain(enum.Enum):\n    E = 1\n"}
    assert check_str_enums(tree) == [
        "app/a.py:2: class Status subclasses str and enum.Enum; make it an enum.StrEnum",
        "app/b.py:2: class Kind subclasses str and enum.Enum; make it an enum.StrEnum",
        "app/c.py:2: class Mode subclasses str and enum.Enum; make it an enum.StrEnum",
    ]


if __name__ == "__main__":
    print(render_house())
