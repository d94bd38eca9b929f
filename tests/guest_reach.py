"""What a guest can meet, read from the source: the templates that guest pages and mails render,
and the marked strings of the Python code behind them. tests/test_translations.py checks that
babel-guest.cfg extracts all of it, so that no guest page shows English on an Arabic page because
a file was left out of babel-guest.cfg.

The walk starts at every view of a guest blueprint (app/i18n.GUEST_BLUEPRINTS), every mail
composer, the error handlers and context processors, and the template globals and filters that
guest templates use; from each it follows every name the code uses to its definition in app/
(`signup_refusal`, `services.register`, `OrganisationKind`), and so on, transitively. Text that a
page reaches only through an object's attribute (`registration.status.label`) is out of its
sight; the templates that show it are not. Two rules keep the walk from wandering into what
guests never read:
- a database model named by a guest page brings none of its body (its columns and relationships
  lead everywhere); `Model.member` brings that member unless it is a column;
- a labelled enum brings its labels when it is named on its own (`for kind in OrganisationKind`),
  not when one member is used as a value (`AuditAction.created`, written to the history).
"""
from __future__ import annotations

import ast
import functools
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import meta, nodes

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
Definition = tuple[Path, ast.AST]


@functools.cache
def _module_file(dotted: str) -> Path | None:
    base = ROOT.joinpath(*dotted.split("."))
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@functools.cache
def _names(path: Path) -> dict:
    """A module's top-level names: ("def", node), ("module", path) or ("import", path, name)."""
    package = path.relative_to(ROOT).parent.parts
    names = {}
    for node in _tree(path).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = ("def", node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names.update((n.id, ("def", node)) for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.ImportFrom):
            parts = list(package[:len(package) - node.level + 1]) if node.level else []
            dotted = ".".join(parts + ([node.module] if node.module else []))
            if dotted.split(".")[0] != "app":
                continue
            for alias in node.names:
                submodule = _module_file(f"{dotted}.{alias.name}")
                names[alias.asname or alias.name] = (
                    ("module", submodule) if submodule else ("import", _module_file(dotted), alias.name))
    return names


def _resolve(path: Path, name: str):
    """Where `name` used in module `path` is defined: a Definition, ("module", path) or None."""
    entry = _names(path).get(name)
    if entry is None or entry[0] == "module":
        return entry
    if entry[0] == "import":
        return _resolve(entry[1], entry[2]) if entry[1] else None
    return (path, entry[1])


def _base_names(node: ast.ClassDef) -> set[str]:
    return {getattr(base, "id", None) or getattr(base, "attr", "") for base in node.bases}


def _is_model(node) -> bool:
    return isinstance(node, ast.ClassDef) and "Model" in _base_names(node)


def _is_enum(node) -> bool:
    return isinstance(node, ast.ClassDef) and any(name.endswith("Enum") for name in _base_names(node))


def _member(node: ast.ClassDef, name: str) -> ast.AST | None:
    for statement in node.body:
        targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
        if getattr(statement, "name", None) == name or any(getattr(t, "id", None) == name for t in targets):
            return statement
    return None


def _annotations(node: ast.AST) -> set[int]:
    """The ids of every node inside a type annotation: naming a type shows nobody anything."""
    roots = []
    for n in ast.walk(node):
        if isinstance(n, ast.arg) or isinstance(n, ast.AnnAssign):
            roots.append(n.annotation)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            roots.append(n.returns)
    return {id(inner) for root in roots if root is not None for inner in ast.walk(root)}


@dataclass
class Reach:
    """What the walk found: each marked string (context, msgid) with where it is and the entry
    that reaches it, and every string constant of the code (template names among them)."""

    strings: dict[tuple, str] = field(default_factory=dict)
    constants: set[str] = field(default_factory=set)
    seen: set[tuple[Path, int]] = field(default_factory=set)


def _marked(call: ast.Call, keywords: dict) -> tuple | None:
    """(context, msgid) of a call to a marking function with a literal msgid, as Babel reads it."""
    name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
    if name not in keywords:
        return None
    spec = keywords[name] or (1,)
    msgid_at = next(i for i in spec if isinstance(i, int))
    context_at = next((i[0] for i in spec if isinstance(i, tuple)), None)

    def literal(position):
        arg = call.args[position - 1] if position and len(call.args) >= position else None
        return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None

    msgid = literal(msgid_at)
    return (literal(context_at), msgid) if msgid else None


def walk(entries: list[tuple[Definition, str]], keywords: dict, found: Reach) -> None:
    """Follow every name the entries use to its definition, collecting marked strings and constants."""
    todo = list(entries)
    while todo:
        (path, node), entry = todo.pop()
        if (path, node.lineno) in found.seen:
            continue
        found.seen.add((path, node.lineno))
        if _is_model(node):
            continue
        skipped = _annotations(node)
        inner = [n for n in ast.walk(node) if id(n) not in skipped]
        qualifiers = {id(n.value) for n in inner if isinstance(n, ast.Attribute)}
        calls = {id(n.func) for n in inner if isinstance(n, ast.Call)}
        for n in inner:
            if isinstance(n, ast.Call) and (key := _marked(n, keywords)):
                found.strings.setdefault(key, f"{path.relative_to(ROOT)}:{n.lineno} (from {entry})")
            elif isinstance(n, ast.Constant) and isinstance(n.value, str):
                found.constants.add(n.value)
            todo.extend((target, entry) for target in _targets(path, n, qualifiers, calls))


def _targets(path: Path, n: ast.AST, qualifiers: set[int], calls: set[int]) -> list[Definition]:
    """The definitions a name (`register`) or a qualified name (`services.register`) leads to."""
    if isinstance(n, ast.Name) and id(n) not in qualifiers:
        target = _resolve(path, n.id)
        if not target or target[0] == "module" or (_is_enum(target[1]) and id(n) in calls):
            return []  # a module by itself, or an enum called to convert a value: `Status(text)`
        return [target]
    if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name):
        owner = _resolve(path, n.value.id)
        if not owner:
            return []
        if owner[0] == "module":
            target = _resolve(owner[1], n.attr) if owner[1] else None
            return [target] if target and target[0] != "module" else []
        if not isinstance(owner[1], ast.ClassDef):
            return [owner]  # `LABELS.get(...)`
        member = None if _is_enum(owner[1]) else _member(owner[1], n.attr)
        if member is None or (_is_model(owner[1]) and isinstance(member, ast.AnnAssign)):
            return []  # a column (`Event.starts_at`) in a query
        return [(owner[0], member)]
    return []


def definition_of(function) -> Definition | None:
    """The def of a function of app/ (a view, a composer, a nested error handler), or None."""
    function = inspect.unwrap(function)
    code = getattr(function, "__code__", None)
    if code is None or not Path(code.co_filename).is_relative_to(ROOT / "app"):
        return None
    path = Path(code.co_filename)
    for node in ast.walk(_tree(path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function.__name__ and \
                min([node.lineno] + [d.lineno for d in node.decorator_list]) == code.co_firstlineno:
            return (path, node)
    return None


def definition_of_value(value) -> Definition | None:
    """The module-level assignment in app/ that made `value` (a template global such as a dict of
    labels), found by identity among the modules' names."""
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "app" or not getattr(module, "__file__", None):
            continue
        for attribute, candidate in vars(module).items():
            target = _resolve(Path(module.__file__), attribute) if candidate is value else None
            if target and target[0] != "module":
                return target
    return None


def entry_points(app, guest_blueprints) -> list[tuple[Definition, str]]:
    """The code a guest's request or mail runs first: guest views, composers, error handlers."""
    functions = [(view, endpoint) for endpoint, view in app.view_functions.items()
                 if endpoint.rpartition(".")[0] in guest_blueprints]
    functions += [(composer, f"mail {kind}")
                  for kind, composer in app.extensions["podium.mail_kinds"].composers.items()]
    functions += [(handler, "error handler") for handlers in app.error_handler_spec[None].values()
                  for handler in handlers.values()]
    functions += [(processor, "context processor") for processor in app.template_context_processors[None]]
    return [(d, name) for function, name in functions if (d := definition_of(function))]


def templates_named(constants: set[str]) -> set[str]:
    """The templates among the code's string constants; a mail's name (mailing.messages.render_pair)
    stands for its .txt and .html."""
    available = {p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.is_file()}
    mails = {f"email/{c}.{suffix}" for c in constants for suffix in ("txt", "html")}
    return (constants | mails) & available


def _template_names_used(tree: nodes.Template) -> set[str]:
    """The names a template reads and the filters and tests it applies."""
    used = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    return used | {n.name for n in tree.find_all((nodes.Filter, nodes.Test))}


def guest_reach(app, guest_blueprints, keywords: dict) -> tuple[Reach, set[str]]:
    """Everything a guest can meet: the marked strings (a Reach) and the templates (names)."""
    env, found, templates = app.jinja_env, Reach(), set()
    entries = entry_points(app, guest_blueprints)
    while entries:
        walk(entries, keywords, found)
        entries, todo = [], templates_named(found.constants) - templates
        while todo:
            name = todo.pop()
            templates.add(name)
            tree = env.parse(env.loader.get_source(env, name)[0], name=name)
            referenced = set(meta.find_referenced_templates(tree))
            if None in referenced:
                raise ValueError(f"{name} includes a template by a computed name: the walk cannot follow it")
            todo |= referenced - templates
            helpers = {**env.tests, **env.filters, **env.globals}
            for used in _template_names_used(tree) & helpers.keys():
                value = helpers[used]
                d = definition_of(value) if callable(value) else \
                    definition_of_value(value) if isinstance(value, (dict, list, tuple)) else None
                if d and (d[0], d[1].lineno) not in found.seen:
                    entries.append((d, f"{name}: {used}"))
    return found, templates
