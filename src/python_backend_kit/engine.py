"""One walk per file.

The engine parses nothing and formats nothing: it takes a tree, walks it
once (iteratively, so deep trees cannot exhaust the recursion limit), keeps
the semantic model up to date as nodes go by, and hands each node to the
checks that subscribed to its type. Findings carry the rule code and the
message arguments; the doors (flake8, pbk) turn them into text.

Speed: the walk is the one part of the checker that touches every node, so
it is written for CPython's interpreter: one table lookup per node type
gives everything the walk needs (which fields hold children, in which order,
whether the node opens a scope, which model update it triggers); checks are
called only for the node types they subscribed to; nothing is allocated per
node except the stack entries. ``bench/run.py`` measures it.

Rules that can only fire when some text occurs in the file may declare it:
a check class attribute ``needs_text = ("fastapi",)`` (any one of the
strings must occur in the source) lets the engine skip the check on files
that lack all of them, when the caller passes the source (``check_source``,
``FileCheck(..., source=...)``). Without the source every check runs. The
strings must be ones that any file the rule could fire on contains (e.g. a
module name that must be imported), so skipping never loses a finding.
``needs_text_option = "session-factories"`` adds the parts of the names the
user configured in that option. ``@rule(code, ..., needs_text=(...))`` sets
both for a check.

Most calls in a file are of no interest to a given rule, and a ``Call``
handler runs for every call. A check that looks only at calls of certain
names declares them: ``calls = frozenset({"gather"})`` (or ``@rule(...,
calls=...)``; ``calls_option`` adds the last parts of names configured in
that option). Its ``visit_Call`` then runs only when the callee's last name
is one of them: the attribute called (``asyncio.gather``, ``x.gather``), or
the name called, as imported (``from asyncio import gather as g`` makes
``g()`` count as ``gather``). A callee that is neither (``f()()``) reaches
no such check. The names must cover every call the check could act on;
tests/test_call_index.py runs every example with and without the index.
``Name`` nodes are a fifth of all nodes: a rule whose ``visit_Name`` looks
only at some names read declares ``names`` (identifiers, as imported), and
one that looks only at names being bound declares ``bound_names_only``.

Rules that need the same per-file analysis (several rules reading one data
flow) share it instead of each walking its own copy: a check class attribute
``analysis = SomeAnalysis`` (a :class:`Check` subclass with ``visit_``/
``leave_``/``finish`` methods that reports nothing) makes the engine create
one ``SomeAnalysis`` per file for all the selected rules naming it, feed it
every node before the rules see that node, finish it before their
``finish()``, and set ``self.analysis`` on each of them. If the analysis
fails, it and every rule using it report PBK000 and stop.
"""

from __future__ import annotations

import ast
import gc
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

from .checks import load_checks
from .checks.registry import REGISTRY, Check, RuleContext
from .model import SemanticModel
from .model.scopes import Scope, scope_kind

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


# -- the shape of every node type ---------------------------------------------

# Fields that never hold nodes worth visiting: contexts, operators, comments,
# and names/identifiers/constants (str, int, or lists of them).
_SKIPPED_FIELDS = frozenset(
    {
        "ctx", "op", "type_comment", "type_ignores", "kind", "id", "attr", "arg", "module", "asname",
        "level", "conversion", "is_async", "simple", "tag", "kwd_attrs", "rest", "lineno",
    }
)
# Per node type: fields that are identifiers or constants there but nodes elsewhere.
_SKIPPED_PER_TYPE: dict[str, frozenset[str]] = {
    "Constant": frozenset({"value"}),
    "MatchSingleton": frozenset({"value"}),
    "Global": frozenset({"names"}),
    "Nonlocal": frozenset({"names"}),
    "FunctionDef": frozenset({"name"}),
    "AsyncFunctionDef": frozenset({"name"}),
    "ClassDef": frozenset({"name"}),
    "ExceptHandler": frozenset({"name"}),
    "alias": frozenset({"name"}),
    "MatchAs": frozenset({"name"}),
    "MatchStar": frozenset({"name"}),
    "TypeVar": frozenset({"name"}),
    "ParamSpec": frozenset({"name"}),
    "TypeVarTuple": frozenset({"name"}),
}
# Python evaluates these right-hand sides before binding the targets.
_FIELD_ORDER = {
    "Assign": ("value", "targets"),
    "AugAssign": ("value", "target"),
    "AnnAssign": ("annotation", "value", "target"),
    "NamedExpr": ("value", "target"),
    "For": ("iter", "target", "body", "orelse"),
    "AsyncFor": ("iter", "target", "body", "orelse"),
    "comprehension": ("iter", "target", "ifs"),
    "ListComp": ("generators", "elt"),
    "SetComp": ("generators", "elt"),
    "GeneratorExp": ("generators", "elt"),
    "DictComp": ("generators", "key", "value"),
}
_SCOPE_TYPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})

# what the walk does with a stack entry
_PLAIN, _SCOPE, _COMPREHENSION, _MARK, _IGNORED = 0, 1, 2, 3, 4


def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of node type *cls* that can hold child nodes, in evaluation order."""
    order = _FIELD_ORDER.get(cls.__name__, cls._fields)  # type: ignore[attr-defined]
    skipped = _SKIPPED_PER_TYPE.get(cls.__name__, frozenset())
    return tuple(f for f in order if f not in _SKIPPED_FIELDS and f not in skipped)


class _Shape(NamedTuple):
    kind: int
    # child fields in reverse order (the stack pops the last pushed first);
    # for scopes: the fields evaluated outside the new scope
    fields: tuple[str, ...]
    # a model update for this node type, called as update(model, node)
    update: Callable[[SemanticModel, Any], None] | None


_shapes: dict[type, _Shape] = {}


def _shape(cls: type) -> _Shape:
    shape = _shapes.get(cls)
    if shape is not None:
        return shape
    if cls is tuple:  # a mark: (what, node)
        shape = _Shape(_MARK, (), None)
    elif not (isinstance(cls, type) and issubclass(cls, ast.AST)):
        shape = _Shape(_IGNORED, (), None)  # None in Dict.keys, stray strings
    else:
        fields = child_fields(cls)
        kind = _PLAIN
        if cls in _SCOPE_TYPES:
            kind = _SCOPE
            fields = tuple(f for f in fields if f != "body")  # the body goes inside the scope
        elif cls in _COMPREHENSIONS:
            kind = _COMPREHENSION
        shape = _Shape(kind, fields[::-1], _MODEL_UPDATES.get(cls))
    _shapes[cls] = shape
    return shape


# -- model updates, one per node type that changes the model ------------------


def _update_import(model: SemanticModel, node: Any) -> None:
    model.record_import(node)


def _update_call(model: SemanticModel, node: Any) -> None:
    model.fastapi.visit_call(node)


def _update_function(model: SemanticModel, node: Any) -> None:
    model.bind(node.name)
    model.fastapi.visit_function(node)


def _update_class(model: SemanticModel, node: Any) -> None:
    model.bind(node.name)


def _update_global(model: SemanticModel, node: Any) -> None:
    model.declare_global(node.names)


def _update_handler(model: SemanticModel, node: Any) -> None:
    if node.name:
        model.bind(node.name)


def _update_assign(model: SemanticModel, node: Any) -> None:
    model.receivers.assign(node.targets, node.value)


def _update_ann_assign(model: SemanticModel, node: Any) -> None:
    model.receivers.assign([node.target], node.value, node.annotation)


def _update_with(model: SemanticModel, node: Any) -> None:
    model.receivers.with_items(node.items)


_MODEL_UPDATES: dict[type, Callable[[SemanticModel, Any], None]] = {
    ast.Import: _update_import,
    ast.ImportFrom: _update_import,
    ast.Call: _update_call,
    ast.FunctionDef: _update_function,
    ast.AsyncFunctionDef: _update_function,
    ast.ClassDef: _update_class,
    ast.Global: _update_global,
    ast.ExceptHandler: _update_handler,
    ast.Assign: _update_assign,
    ast.AnnAssign: _update_ann_assign,
    ast.With: _update_with,
    ast.AsyncWith: _update_with,
}


# -- stack markers ----------------------------------------------------------------

_OPEN, _CLOSE, _LEAVE = 0, 1, 2


# A stack entry that is not a node is a mark: the tuple (what, node), to
# open or close a scope, or run the leave handlers of node. (A tuple, not a
# small class: no Python-level __init__ per mark.)


# -- which checks run -----------------------------------------------------------------

_plans: dict[tuple[frozenset[str], tuple[int, int]], tuple[tuple[str, type[Check]], ...]] = {}


def _rule_min_python(code: str) -> tuple[int, int] | None:
    from .catalog import CatalogError, bundled_rules

    try:
        rule = bundled_rules().get(code)
    except (CatalogError, OSError):  # the doors report a broken catalog themselves
        return None
    return rule.min_python if rule is not None else None


def _checks_for(settings: Settings) -> tuple[tuple[str, type[Check]], ...]:
    """The check classes to run: selected, registered, and not newer than the target Python."""
    key = (frozenset(settings.codes), tuple(settings.min_python))
    plan = _plans.get(key)
    if plan is None:
        load_checks()
        chosen = []
        for code in sorted(settings.codes):
            cls = REGISTRY.get(code)
            if cls is None:
                continue
            needed = _rule_min_python(code)
            if needed is not None and tuple(settings.min_python) < needed:
                continue  # the rule recommends something the target Python lacks
            chosen.append((code, cls))
        plan = tuple(chosen)
        if len(_plans) > 64:
            _plans.clear()
        _plans[key] = plan
    # REGISTRY can change (tests register and patch checks): keep the plan honest
    return tuple((code, REGISTRY[code]) for code, _ in plan if code in REGISTRY)


def _handlers_of(cls: type[Check]) -> dict[str, list[tuple[type, str]]]:
    from .checks.registry import _collect_handlers

    return _collect_handlers(cls)


def _needed_texts(cls: type[Check], settings: Settings) -> tuple[str, ...]:
    """The rule's ``needs_text``, plus the parts of the names configured in the
    option it names in ``needs_text_option`` (a configured session factory
    from another module appears in the file under one of its names)."""
    needs = tuple(getattr(cls, "needs_text", None) or ())
    option = getattr(cls, "needs_text_option", None)
    if needs and option:
        extra = [part for name in settings.options.get(option, ()) for part in str(name).split(".") if part and not part.startswith("__")]
        needs = (*needs, *extra)
    return needs


_call_names_cache: dict[tuple[type, tuple[str, ...]], frozenset[str] | None] = {}
_NOT_CACHED = object()


def _call_names(cls: type[Check], settings: Settings) -> frozenset[str] | None:
    """The callee names *cls* declared in ``calls`` (plus the last parts of
    the names configured in its ``calls_option``); None: it sees every call."""
    names = getattr(cls, "calls", None)
    if names is None:
        return None
    option = getattr(cls, "calls_option", None)
    configured = tuple(map(str, settings.options.get(option, ()) or ())) if option else ()
    key = (cls, configured)
    found = _call_names_cache.get(key, _NOT_CACHED)
    if found is _NOT_CACHED:
        found = _call_names_cache[key] = frozenset(names) | {name.rpartition(".")[2] for name in configured}
    return found  # type: ignore[return-value]


_needs_cache: dict[tuple[type, tuple[str, ...]], tuple[tuple[str, ...], tuple[bytes, ...]]] = {}


def _needs(cls: type[Check], settings: Settings) -> tuple[tuple[str, ...], tuple[bytes, ...]]:
    """The needed texts of *cls* as str and as UTF-8 bytes, cached per configuration."""
    key = (cls, tuple(settings.options.get(getattr(cls, "needs_text_option", None) or "", ())))
    found = _needs_cache.get(key)
    if found is None:
        texts = _needed_texts(cls, settings)
        found = _needs_cache[key] = (texts, tuple(t.encode() for t in texts))
    return found


def _wanted_checks(chosen, source: str | bytes | None, settings: Settings):  # noqa: ANN001, ANN202
    """The chosen (code, class) pairs whose needed text occurs in *source*;
    each string is searched for at most once per file."""
    if source is None:
        return list(chosen)
    found: dict[str | bytes, bool] = {}  # one search per string: the rules' sets overlap

    def occurs(needle: str | bytes) -> bool:
        hit = found.get(needle)
        if hit is None:
            hit = found[needle] = needle in source  # type: ignore[operator]
        return hit

    as_bytes = isinstance(source, bytes)
    wanted = []
    for code, cls in chosen:
        texts, encoded = _needs(cls, settings)
        if not texts or any(map(occurs, encoded if as_bytes else texts)):
            wanted.append((code, cls))
    return wanted


class FileCheck:
    """The state of checking one file."""

    def __init__(
        self, tree: ast.Module, settings: Settings, filename: str = "<unknown>", source: str | bytes | None = None, index_calls: bool = True
    ) -> None:
        self.tree = tree
        self.settings = settings
        self.filename = filename
        self.model = SemanticModel(tree, frozenset(settings.options.get("session-factories", ())))
        self.findings: list[Finding] = []
        self.broken: set[str] = set()
        # the checks reach the file through a weak proxy: no reference cycle
        # keeps a finished file (and its tree) alive until the cyclic GC runs
        me = weakref.proxy(self)
        chosen = _checks_for(settings)
        self.checks: list[Check] = [cls(RuleContext(code, me)) for code, cls in _wanted_checks(chosen, source, settings)]
        # every selected check declared text this file lacks: no need to walk
        self.nothing_to_do = bool(chosen) and not self.checks
        self.enter: dict[type, list[tuple[str, Callable[[ast.AST], None]]]] = {}
        self.leave: dict[type, list[tuple[str, Callable[[ast.AST], None]]]] = {}
        # shared analyses first: their handlers run before the rules' handlers
        self.analyses: dict[type, Check] = {}
        self.users: dict[str, list[str]] = {}  # analysis code -> codes of the rules using it
        for check in self.checks:
            factory = getattr(type(check), "analysis", None)
            if factory is None:
                continue
            shared = self.analyses.get(factory)
            if shared is None:
                label = f"analysis {factory.__name__}"
                shared = self.analyses[factory] = factory(RuleContext(label, me))
                shared.code = label
                if "handlers" not in vars(factory):
                    factory.handlers = _handlers_of(factory)
            self.users.setdefault(shared.code, []).append(check.code)
            check.analysis = shared  # type: ignore[attr-defined]
        # Call handlers of checks that declared ``calls``, by callee name;
        # the analyses' ones run before every rule handler of the same call
        self.calls_first: dict[str | None, list[tuple[str, Callable[[ast.AST], None]]]] = {}
        self.calls_by_name: dict[str | None, list[tuple[str, Callable[[ast.AST], None]]]] = {}
        # Name handlers of rules that declared ``names`` (by identifier) or
        # ``bound_names_only``; they run after the other Name handlers
        self.names_by_id: dict[str, list[tuple[str, Callable[[ast.AST], None]]]] = {}
        self.bound_names: list[tuple[str, Callable[[ast.AST], None]]] = []
        for check in (*self.analyses.values(), *self.checks):
            cls = type(check)
            is_analysis = check.code in self.users
            names = _call_names(cls, settings) if index_calls else None
            index = self.calls_first if is_analysis else self.calls_by_name
            for node_type, attr in check.handlers["visit"]:
                handler = getattr(check, attr)
                if node_type is ast.Call and names is not None:
                    for name in names:
                        index.setdefault(name, []).append((check.code, handler))
                elif node_type is ast.Name and not is_analysis and index_calls and cls.names is not None:
                    for name in cls.names:
                        self.names_by_id.setdefault(name, []).append((check.code, handler))
                elif node_type is ast.Name and not is_analysis and index_calls and cls.bound_names_only:
                    self.bound_names.append((check.code, handler))
                else:
                    self.enter.setdefault(node_type, []).append((check.code, handler))
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
        """Report a failing check once and stop calling it on this file."""
        if code in self.broken:
            return
        self.broken.add(code)
        for user in self.users.get(code, ()):  # rules reading a failed analysis stop too
            self.broken.add(user)
            self._drop_handlers(user)
        line = getattr(node, "lineno", 1) or 1
        col = getattr(node, "col_offset", 0) or 0
        self.findings.append(Finding(line, col, INTERNAL_ERROR, {"rule": code, "error": f"{type(exc).__name__}: {exc}"}))
        self._drop_handlers(code)

    def _drop_handlers(self, code: str) -> None:
        for table in (self.enter, self.leave, self.calls_first, self.calls_by_name, self.names_by_id):
            for node_type, handlers in list(table.items()):
                kept = [h for h in handlers if h[0] != code]
                if kept:
                    table[node_type] = kept  # a new list: a loop over the old one goes on
                else:
                    del table[node_type]
        self.bound_names = [h for h in self.bound_names if h[0] != code]

    def model_error(self, exc: BaseException, node: ast.AST | None) -> None:
        """A model update failed: the model stays silent about that node.

        RecursionError comes from absurdly deep expressions (a 3,000-level
        ``a / b / c ...``), not from a bug, so it is not reported; anything
        else is reported once per file as PBK000 for "model".
        """
        if not isinstance(exc, RecursionError):
            self.internal_error("model", exc, node)

    def _dispatch(self, handlers: list[tuple[str, Callable[[ast.AST], None]]], node: ast.AST) -> None:
        for code, handler in handlers:
            try:
                handler(node)
            except Exception as exc:  # one broken rule must not lose the others
                self.internal_error(code, exc, node)

    # -- the walk -------------------------------------------------------
    def run(self) -> list[Finding]:
        """Walk the tree once, then let the checks finish; the findings, sorted."""
        # The walk creates no reference cycles (a test guards it), so the
        # cyclic GC has nothing to find here; pausing it saves the repeated
        # traversals of the freshly parsed tree that allocations would trigger.
        if self.nothing_to_do and not self.checks:
            return self.findings
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            self._walk()
        finally:
            if paused:
                gc.enable()
        for check in (*self.analyses.values(), *self.checks):
            if check.code in self.broken or type(check).finish is Check.finish:
                continue
            try:
                check.finish()
            except Exception as exc:
                self.internal_error(check.code, exc, None)
        self.findings.sort(key=lambda f: (f.line, f.col, f.code))
        return self.findings

    def _walk(self) -> None:
        model = self.model
        enter, leave = self.enter, self.leave
        dispatch = self._dispatch
        stack: list[Any] = [self.tree]
        push, pop, extend = stack.append, stack.pop, stack.extend
        shapes = _shapes
        Name, Constant, Load = ast.Name, ast.Constant, ast.Load
        Call, Attribute = ast.Call, ast.Attribute
        bind = model.bind
        calls_first, calls_by_name = self.calls_first, self.calls_by_name
        indexed = bool(calls_first or calls_by_name)
        aliases = model.import_aliases  # `from m import f as g`: calls of g count as calls of f
        names_by_id = self.names_by_id
        while stack:
            node = pop()
            cls = node.__class__
            # the two commonest node types first: 40% of all nodes, no children
            if cls is Name:
                filtered = None  # handlers of the rules that want only some names
                if node.ctx.__class__ is not Load:
                    bind(node.id, None, node)
                    if self.bound_names:
                        filtered = self.bound_names
                elif names_by_id:
                    key = node.id
                    filtered = names_by_id.get(aliases.get(key, key))
                handlers = enter.get(Name)
                if handlers is not None:
                    # the dispatch loop, inlined: Name is a third of all nodes
                    for code, handler in handlers:
                        try:
                            handler(node)
                        except Exception as exc:  # one broken rule must not lose the others
                            self.internal_error(code, exc, node)
                if filtered is not None:
                    dispatch(filtered, node)
                if Name in leave:
                    dispatch(leave[Name], node)
                continue
            if cls is Constant:
                if Constant in enter:
                    dispatch(enter[Constant], node)
                if Constant in leave:
                    dispatch(leave[Constant], node)
                continue

            shape = shapes.get(cls) or _shape(cls)
            kind = shape[0]
            if kind == _MARK:
                what, node = node
                if what == _OPEN:
                    outer = model.scope
                    try:
                        model.push_scope(node)
                    except Exception as exc:
                        self.model_error(exc, node)
                        if model.scope is outer:  # keep open and close paired
                            model.set_scope(Scope(scope_kind(node), node, outer))
                elif what == _CLOSE:
                    handlers = leave.get(node.__class__)
                    if handlers is not None:
                        dispatch(handlers, node)
                    model.pop_scope()
                else:
                    handlers = leave.get(node.__class__)
                    if handlers is not None:
                        dispatch(handlers, node)
                continue
            if kind == _IGNORED:
                continue

            update = shape[2]
            if update is not None:
                try:
                    update(model, node)
                except Exception as exc:
                    self.model_error(exc, node)
            if cls is Call and indexed:
                # the callee's last name picks the handlers of checks that declared `calls`
                func = node.func
                if func.__class__ is Attribute:
                    key = func.attr
                elif func.__class__ is Name:
                    key = func.id
                    if aliases:
                        key = aliases.get(key, key)
                else:
                    key = None
                handlers = calls_first.get(key)
                if handlers is not None:
                    dispatch(handlers, node)
                handlers = enter.get(cls)
                if handlers is not None:
                    dispatch(handlers, node)
                handlers = calls_by_name.get(key)
                if handlers is not None:
                    dispatch(handlers, node)
            else:
                handlers = enter.get(cls)
                if handlers is not None:
                    for code, handler in handlers:  # the dispatch loop, inlined
                        try:
                            handler(node)
                        except Exception as exc:  # one broken rule must not lose the others
                            self.internal_error(code, exc, node)

            if kind == _PLAIN:
                if cls in leave:
                    push((_LEAVE, node))
                for name in shape[1]:
                    value = getattr(node, name, None)
                    if value.__class__ is list:
                        if value:
                            extend(value[::-1])
                    elif value is not None:
                        push(value)
            elif kind == _SCOPE:
                # outer parts (decorators, defaults, bases) first, then the body in its own scope
                push((_CLOSE, node))
                body = node.body
                if body.__class__ is list:
                    extend(body[::-1])
                else:
                    push(body)  # a lambda's expression
                push((_OPEN, node))
                for name in shape[1]:
                    value = getattr(node, name, None)
                    if value.__class__ is list:
                        if value:
                            extend(value[::-1])
                    elif value is not None:
                        push(value)
            else:  # a comprehension: every part inside its own scope
                push((_CLOSE, node))
                for name in shape[1]:
                    value = getattr(node, name, None)
                    if value.__class__ is list:
                        if value:
                            extend(value[::-1])
                    elif value is not None:
                        push(value)
                push((_OPEN, node))


def parse(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` with the cyclic GC paused.

    A tree is millions of small objects and no cycles; collections that its
    allocation triggers find nothing and cost about 15% of the parse.
    Raises what ``ast.parse`` raises (SyntaxError, ValueError for NUL bytes,
    RecursionError or MemoryError for absurdly nested code).
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return ast.parse(source, filename=filename)
    finally:
        if paused:
            gc.enable()


def check_tree(tree: ast.Module, settings: Settings, filename: str = "<unknown>", source: str | bytes | None = None) -> list[Finding]:
    return FileCheck(tree, settings, filename, source).run()


def check_source(source: str | bytes, settings: Settings, filename: str = "<unknown>") -> list[Finding]:
    """Parse and check; raises SyntaxError (and ValueError for NUL bytes) on bad input."""
    tree = parse(source, filename)
    return check_tree(tree, settings, filename, source)
