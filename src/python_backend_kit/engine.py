"""One walk per file.

The engine parses nothing and formats nothing: it takes a tree, walks it
once (iteratively, so deep trees cannot exhaust the recursion limit), keeps
the semantic model up to date as nodes go by, and hands each node to the
checks that subscribed to its type. Findings carry the rule code and the
message arguments; the doors (flake8, pbk) turn them into text.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, NamedTuple

from .checks import load_checks
from .checks.registry import REGISTRY, Check, RuleContext
from .model import SemanticModel

INTERNAL_ERROR = "PBK000"
DEFAULT_MIN_PYTHON = (3, 11)


class Finding(NamedTuple):
    line: int
    col: int  # 0-based, as in the ast
    code: str
    args: dict[str, object]
    end_line: int | None = None
    end_col: int | None = None


@dataclass(frozen=True)
class Settings:
    """What to check: the codes to run, the target Python, rule options."""

    codes: frozenset[str]
    min_python: tuple[int, int] = DEFAULT_MIN_PYTHON
    options: dict[str, Any] = field(default_factory=dict)


# Fields that never hold nodes worth visiting (contexts, operators, comments).
_SKIPPED_FIELDS = frozenset({"ctx", "op", "type_comment", "type_ignores", "kind"})
# Python evaluates these right-hand sides before binding the targets.
_FIELD_ORDER = {
    ast.Assign: ("value", "targets"),
    ast.AugAssign: ("value", "target"),
    ast.AnnAssign: ("annotation", "value", "target"),
    ast.NamedExpr: ("value", "target"),
    ast.For: ("iter", "target", "body", "orelse"),
    ast.AsyncFor: ("iter", "target", "body", "orelse"),
    ast.comprehension: ("iter", "target", "ifs"),
    ast.ListComp: ("generators", "elt"),
    ast.SetComp: ("generators", "elt"),
    ast.GeneratorExp: ("generators", "elt"),
    ast.DictComp: ("generators", "key", "value"),
}
_SCOPE_TYPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})
_fields_cache: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _fields_cache.get(cls)
    if fields is None:
        order = _FIELD_ORDER.get(cls, cls._fields)
        fields = tuple(f for f in order if f not in _SKIPPED_FIELDS)
        if cls in _SCOPE_TYPES:
            # the body is visited inside the new scope, the rest outside
            fields = tuple(f for f in fields if f != "body")
        _fields_cache[cls] = fields
    return fields


def _children(node: ast.AST, fields: Iterable[str]) -> list[ast.AST]:
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            out.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


_OPEN, _CLOSE, _LEAVE = 0, 1, 2


def runnable_codes(settings: Settings) -> list[str]:
    """The selected codes that have a check and whose rule file's ``min-python``
    the configured minimum Python satisfies (rules recommending 3.11 features
    stay silent for code that must run on 3.10)."""
    from .catalog import bundled_rules

    rules = bundled_rules()
    runnable = []
    for code in sorted(settings.codes):
        if code not in REGISTRY:
            continue
        rule = rules.get(code)
        if rule is not None and rule.min_python is not None and tuple(settings.min_python) < rule.min_python:
            continue
        runnable.append(code)
    return runnable


class FileCheck:
    """The state of checking one file."""

    def __init__(self, tree: ast.Module, settings: Settings, filename: str = "<unknown>") -> None:
        self.tree = tree
        self.settings = settings
        self.filename = filename
        load_checks()
        self.model = SemanticModel(tree, frozenset(settings.options.get("session-factories", ())))
        self.findings: list[Finding] = []
        self.broken: set[str] = set()
        self.checks: list[Check] = [REGISTRY[code](RuleContext(code, self)) for code in runnable_codes(settings)]
        self.enter: dict[type, list[tuple[str, Callable[[ast.AST], None]]]] = {}
        self.leave: dict[type, list[tuple[str, Callable[[ast.AST], None]]]] = {}
        for check in self.checks:
            for node_type, attr in check.handlers["visit"]:
                self.enter.setdefault(node_type, []).append((check.code, getattr(check, attr)))
            for node_type, attr in check.handlers["leave"]:
                self.leave.setdefault(node_type, []).append((check.code, getattr(check, attr)))

    # -- reporting ------------------------------------------------------
    def add(self, code: str, node: ast.AST, args: dict[str, object]) -> None:
        self.findings.append(
            Finding(node.lineno, node.col_offset, code, args, getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None))
        )

    def add_at(self, code: str, line: int, col: int, end_line: int | None, end_col: int | None, args: dict[str, object]) -> None:
        self.findings.append(Finding(line, col, code, args, end_line, end_col))

    def internal_error(self, code: str, exc: BaseException, node: ast.AST | None) -> None:
        self.broken.add(code)
        line = getattr(node, "lineno", 1) or 1
        col = getattr(node, "col_offset", 0) or 0
        self.findings.append(Finding(line, col, INTERNAL_ERROR, {"rule": code, "error": f"{type(exc).__name__}: {exc}"}))

    def _dispatch(self, table: dict, node: ast.AST) -> None:
        for code, handler in table[type(node)]:
            if code in self.broken:
                continue
            try:
                handler(node)
            except Exception as exc:  # one broken rule must not lose the others
                self.internal_error(code, exc, node)

    # -- the walk -------------------------------------------------------
    def run(self) -> list[Finding]:
        model = self.model
        enter, leave = self.enter, self.leave
        stack: list[Any] = [self.tree]
        push, pop = stack.append, stack.pop
        Name, Load = ast.Name, ast.Load
        while stack:
            item = pop()
            if type(item) is tuple:
                marker, node = item
                if marker == _OPEN:
                    model.push_scope(node)
                elif marker == _CLOSE:
                    if type(node) in leave:
                        self._dispatch(leave, node)
                    model.pop_scope()
                else:
                    self._dispatch(leave, node)
                continue

            node = item
            cls = type(node)
            if cls is Name:
                if type(node.ctx) is not Load:
                    model.bind(node.id, None, node)
            else:
                self._update_model(node, cls)
            if cls in enter:
                self._dispatch(enter, node)

            if cls in _SCOPE_TYPES or cls in _COMPREHENSIONS:
                self._push_scoped(node, cls, push)
                continue
            if cls in leave:
                push((_LEAVE, node))
            fields = _fields_cache.get(cls) or _child_fields(cls)
            children = _children(node, fields)
            if children:
                children.reverse()
                stack.extend(children)
        for check in self.checks:
            if check.code in self.broken or type(check).finish is Check.finish:
                continue
            try:
                check.finish()
            except Exception as exc:
                self.internal_error(check.code, exc, None)
        self.findings.sort(key=lambda f: (f.line, f.col, f.code))
        return self.findings

    def _push_scoped(self, node: ast.AST, cls: type, push: Callable[[Any], None]) -> None:
        """Outer parts (decorators, defaults, bases) first, then the body in its own scope."""
        push((_CLOSE, node))
        if cls in _COMPREHENSIONS:
            inner = _children(node, _fields_cache.get(cls) or _child_fields(cls))
            outer: list[ast.AST] = []
        else:
            body = node.body  # type: ignore[attr-defined]
            inner = body if type(body) is list else [body]
            outer = _children(node, _fields_cache.get(cls) or _child_fields(cls))
        for child in reversed(inner):
            push(child)
        push((_OPEN, node))
        for child in reversed(outer):
            push(child)

    def _update_model(self, node: ast.AST, cls: type) -> None:
        model = self.model
        if cls is ast.Import or cls is ast.ImportFrom:
            model.record_import(node)  # type: ignore[arg-type]
        elif cls is ast.Call:
            model.fastapi.visit_call(node)  # type: ignore[arg-type]
        elif cls is ast.FunctionDef or cls is ast.AsyncFunctionDef:
            model.bind(node.name)  # type: ignore[attr-defined]
            model.fastapi.visit_function(node)  # type: ignore[arg-type]
        elif cls is ast.ClassDef:
            model.bind(node.name)  # type: ignore[attr-defined]
        elif cls is ast.Global:
            model.declare_global(node.names)  # type: ignore[attr-defined]
        elif cls is ast.ExceptHandler and node.name:  # type: ignore[attr-defined]
            model.bind(node.name)  # type: ignore[attr-defined]
        elif cls is ast.Assign:
            model.receivers.assign(node.targets, node.value)  # type: ignore[attr-defined]
        elif cls is ast.AnnAssign:
            model.receivers.assign([node.target], node.value, node.annotation)  # type: ignore[attr-defined]
        elif cls is ast.With or cls is ast.AsyncWith:
            model.receivers.with_items(node.items)  # type: ignore[attr-defined]


def check_tree(tree: ast.Module, settings: Settings, filename: str = "<unknown>") -> list[Finding]:
    return FileCheck(tree, settings, filename).run()


def check_source(source: str | bytes, settings: Settings, filename: str = "<unknown>") -> list[Finding]:
    """Parse and check; raises SyntaxError (and ValueError for NUL bytes) on bad input."""
    tree = ast.parse(source, filename=filename)
    return check_tree(tree, settings, filename)
