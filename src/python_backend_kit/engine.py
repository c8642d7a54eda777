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
node except the stack entries. ``bench/run.py`` measures it. Which checks
run on a file, and which of their handlers see which nodes, is planned once
per configuration and set of needed texts found (see below); setting up a
file only creates the check objects and binds their handlers.

Rules that can only fire when some text occurs in the file may declare it:
a check class attribute ``needs_text = ("async",)`` (any one of the
strings must occur in the source) lets the engine skip the check on files
that lack all of them, when the caller passes the source (``check_source``,
``FileCheck(..., source=...)``). Without the source every check runs. The
strings must be ones that any file the rule could fire on contains, so
skipping never loses a finding. Rules that act through qualified names
(``fastapi.Depends``, ``sqlalchemy.orm.relationship``) can only fire on a
file that imports the module: ``needs_import = ("fastapi", "starlette")``
looks for the module names on the lines of import statements only (a
fraction of the text, see :func:`import_lines`), and either kind counts.
``needs_text_option = "session-factories"`` adds the parts of the names the
user configured in that option. ``needs_text_too`` is a second group of
strings of which one must occur as well; given as ``{module: names}``, a
name counts only in a file whose import lines name its module (PBK401-PBK404
need the name of a creation call of a resource library the file imports:
``ClientSession`` creates nothing where aiohttp is not imported). ``@rule(code, ...,
needs_import=(...), needs_text_too=(...))`` sets them for a check. Each
needle is looked for at most once per file, and only while some rule still
needs it. When every selected check is skipped this way, the file is not
even parsed into a tree: :func:`needs_tree` answers from the text alone,
and :func:`check_syntax` gives the parser's verdict on the file without the
Python objects of a tree (syntax errors are reported for every file).

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

Type annotations (parameters, returns, ``x: T = ...``) are a tenth of the
nodes of typed code and hold nothing the rules look for, except FastAPI's
``Annotated[T, Depends(f)]``: the walk skips them in files that do not
import ``fastapi`` (``FastAPIRoles.ANNOTATION_IMPORTS``), and walks them everywhere
without the source. The model reads the annotations it needs (receiver
kinds) straight from the nodes, never through the walk.

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
from typing import Any, AnyStr, Callable, NamedTuple

from .checks import load_checks
from .checks.registry import REGISTRY, Check, RuleContext
from .model import SemanticModel
from .model.fastapi import FastAPIRoles
from .model.scopes import Scope, scope_kind

try:  # CPython's symbol table: the parser's checks without building the tree
    from _symtable import symtable as _symbol_table
except ImportError:  # pragma: no cover - another Python: always build the tree
    _symbol_table = None

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
# the same without the fields that hold type annotations (see the module docstring)
_lean_shapes: dict[type, _Shape] = {}
_ANNOTATION_FIELDS = {"arg": "annotation", "AnnAssign": "annotation", "FunctionDef": "returns", "AsyncFunctionDef": "returns"}


def _shape(cls: type, lean: bool = False) -> _Shape:
    table = _lean_shapes if lean else _shapes
    shape = table.get(cls)
    if shape is not None:
        return shape
    if cls is tuple:  # a mark: (what, node)
        shape = _Shape(_MARK, (), None)
    elif not (isinstance(cls, type) and issubclass(cls, ast.AST)):
        shape = _Shape(_IGNORED, (), None)  # None in Dict.keys, stray strings
    else:
        fields = child_fields(cls)
        if lean:
            fields = tuple(f for f in fields if f != _ANNOTATION_FIELDS.get(cls.__name__))
        kind = _PLAIN
        if cls in _SCOPE_TYPES:
            kind = _SCOPE
            fields = tuple(f for f in fields if f != "body")  # the body goes inside the scope
        elif cls in _COMPREHENSIONS:
            kind = _COMPREHENSION
        shape = _Shape(kind, fields[::-1], _MODEL_UPDATES.get(cls))
    table[cls] = shape
    return shape


# -- model updates, one per node type that changes the model ------------------


def _update_import(model: SemanticModel, node: Any) -> None:
    model.record_import(node)


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

_chosen_by_codes: dict[tuple[frozenset[str], tuple[int, int]], tuple[tuple[str, type[Check]], ...]] = {}


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
    plan = _chosen_by_codes.get(key)
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
        if len(_chosen_by_codes) > 64:
            _chosen_by_codes.clear()
        _chosen_by_codes[key] = plan
    # REGISTRY can change (tests register and patch checks): keep the plan honest
    return tuple((code, REGISTRY[code]) for code, _ in plan if code in REGISTRY)


def _handlers_of(cls: type[Check]) -> dict[str, list[tuple[type, str]]]:
    from .checks.registry import _collect_handlers

    return _collect_handlers(cls)


Needle = tuple[str, bool]  # (text, looked for only on the lines of import statements)
Term = tuple[Needle, ...]  # needles that must all occur: one, or a module imported and one of its names


def _needed_texts(cls: type[Check], settings: Settings) -> tuple[tuple[Term, ...], ...]:
    """The groups of terms the rule needs (the file must hold one term of
    each group): its ``needs_import`` modules and ``needs_text`` strings and,
    if set, its ``needs_text_too``. A ``needs_text_too`` given as a mapping
    ``{module: names}`` counts a name only in a file importing its module.
    The parts of the names configured in the option named by
    ``needs_text_option`` join every group (a configured session factory
    from another module appears in the file under one of its names)."""
    first: tuple[Term, ...] = (
        *(((module, True),) for module in getattr(cls, "needs_import", None) or ()),
        *(((text, False),) for text in getattr(cls, "needs_text", None) or ()),
    )
    if not first:
        return ()
    option = getattr(cls, "needs_text_option", None)
    extra: tuple[Term, ...] = ()
    if option:
        extra = tuple(((part, False),) for name in settings.options.get(option, ()) for part in str(name).split(".") if part and not part.startswith("__"))
    wanted = getattr(cls, "needs_text_too", None) or ()
    if isinstance(wanted, dict):
        too: tuple[Term, ...] = tuple(((module, True), (text, False)) for module, texts in wanted.items() for text in texts)
    else:
        too = tuple(((text, False),) for text in wanted)
    if too:
        return ((*first, *extra), (*too, *extra))
    return ((*first, *extra),)


def import_lines(source: AnyStr) -> AnyStr:
    """The lines of *source* that hold the word ``import`` (with the lines a
    backslash continues onto them): every import statement names its module
    there, so a module the file imports is found in far less text."""
    newline, word, continued, continued_crlf = ("\n", "import", "\\\n", "\\\r\n") if isinstance(source, str) else (b"\n", b"import", b"\\\n", b"\\\r\n")
    find, rfind, endswith = source.find, source.rfind, source.endswith
    lines = []
    at = find(word)  # type: ignore[arg-type]
    while at != -1:
        start = rfind(newline, 0, at) + 1  # type: ignore[arg-type]
        while start > 1 and (endswith(continued, 0, start) or endswith(continued_crlf, 0, start)):  # type: ignore[arg-type]
            start = rfind(newline, 0, start - 1) + 1  # type: ignore[arg-type]
        end = find(newline, at)  # type: ignore[arg-type]
        if end == -1:
            end = len(source)
        lines.append(source[start:end])
        at = find(word, end)  # type: ignore[arg-type]
    return newline.join(lines)  # type: ignore[arg-type,return-value]


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


Handler = Callable[[ast.AST], None]


class _Plan:
    """Which checks run on a file and which of their handlers see which nodes.

    Built once per configuration and set of needed texts found (files alike
    in those share it), so setting up a file only creates the check objects
    and binds their handlers. Tables map a node type (or a callee or name
    identifier) to the indexes of handlers in the file's handler list.
    """

    def __init__(self, chosen: tuple[tuple[str, type[Check]], ...], settings: Settings, index_calls: bool, walk_annotations: bool = True) -> None:
        self.checks = chosen
        self.walk_annotations = walk_annotations
        # the shared analyses the checks name, in order of first use
        self.analyses: tuple[type[Check], ...] = tuple(dict.fromkeys(a for _, cls in chosen if (a := getattr(cls, "analysis", None))))
        labels = [f"analysis {factory.__name__}" for factory in self.analyses]
        self.owner_codes: tuple[str, ...] = (*labels, *(code for code, _ in chosen))
        self.users: dict[str, list[str]] = {}  # analysis label -> codes of the rules using it
        for code, cls in chosen:
            factory = getattr(cls, "analysis", None)
            if factory is not None:
                self.users.setdefault(labels[self.analyses.index(factory)], []).append(code)
        self.slots: list[tuple[int, str]] = []  # (owner index, method name) per handler
        self.enter: dict[type, tuple[int, ...]] = {}
        self.leave: dict[type, tuple[int, ...]] = {}
        self.calls_first: dict[str | None, tuple[int, ...]] = {}  # analyses: before every rule handler
        self.calls_by_name: dict[str | None, tuple[int, ...]] = {}
        self.names_by_id: dict[str, tuple[int, ...]] = {}
        self.bound_names: tuple[int, ...] = ()
        # node types the walk only descends through under this plan (no
        # handler, no model update): type -> child fields; filled by the walks
        self.quiet: dict[type, tuple[str, ...]] = {}
        owners = (*self.analyses, *(cls for _, cls in chosen))
        for owner, cls in enumerate(owners):
            if "handlers" not in vars(cls):
                cls.handlers = _handlers_of(cls)
            self._add_handlers(owner, cls, settings, index_calls, is_analysis=owner < len(self.analyses))
        self.slot_codes = tuple(self.owner_codes[owner] for owner, _ in self.slots)
        # per callee name that anything wants: (the model's layers want the call,
        # analyses' slots, slots of the checks that declared the name); one
        # lookup per call, and most calls find nothing
        self.calls: dict[str, tuple[bool, tuple[int, ...] | None, tuple[int, ...] | None]] = {
            name: (name in SemanticModel.CALL_NAMES, self.calls_first.get(name), self.calls_by_name.get(name))
            for name in {*self.calls_first, *self.calls_by_name, *SemanticModel.CALL_NAMES}
        }

    def _slot(self, owner: int, attr: str) -> int:
        self.slots.append((owner, attr))
        return len(self.slots) - 1

    def _add_handlers(self, owner: int, cls: type[Check], settings: Settings, index_calls: bool, is_analysis: bool) -> None:
        call_names = _call_names(cls, settings) if index_calls else None
        filtered = index_calls and not is_analysis
        for node_type, attr in cls.handlers["visit"]:
            slot = self._slot(owner, attr)
            if node_type is ast.Call and call_names is not None:
                table = self.calls_first if is_analysis else self.calls_by_name
                for name in call_names:
                    table[name] = (*table.get(name, ()), slot)
            elif node_type is ast.Name and filtered and cls.names is not None:
                for name in cls.names:
                    self.names_by_id[name] = (*self.names_by_id.get(name, ()), slot)
            elif node_type is ast.Name and filtered and cls.bound_names_only:
                self.bound_names = (*self.bound_names, slot)
            else:
                self.enter[node_type] = (*self.enter.get(node_type, ()), slot)
        for node_type, attr in cls.handlers["leave"]:
            self.leave[node_type] = (*self.leave.get(node_type, ()), self._slot(owner, attr))


# the pseudo-code under which _Plans records whether a file's annotations are walked
_ANNOTATIONS = "annotations"


class _Plans:
    """The plans for one configuration, by which needed texts a file contains."""

    def __init__(self, settings: Settings, chosen: tuple[tuple[str, type[Check]], ...], index_calls: bool) -> None:
        self.settings = settings
        self.chosen = chosen
        self.index_calls = index_calls
        self.registry_version = REGISTRY.version
        needs = {code: _needed_texts(cls, settings) for code, cls in chosen}
        needs[_ANNOTATIONS] = (tuple(((module, True),) for module in FastAPIRoles.ANNOTATION_IMPORTS),)  # whether the walk needs the annotations
        # every string, distinct group of strings, and distinct combination of
        # groups a check requires, is looked for at most once per file
        groups = tuple(dict.fromkeys(group for check_groups in needs.values() for group in check_groups))
        needles = tuple(dict.fromkeys(needle for group in groups for term in group for needle in term))
        self.needles: tuple[Needle, ...] = needles
        self.encoded: tuple[tuple[bytes, bool], ...] = tuple((text.encode(), in_imports) for text, in_imports in needles)
        # per group, its terms; per term, the indexes of its needles
        self.groups: tuple[tuple[tuple[int, ...], ...], ...] = tuple(
            tuple(tuple(needles.index(n) for n in term) for term in group) for group in groups
        )
        requirements = {code: tuple(groups.index(group) for group in check_groups) for code, check_groups in needs.items() if check_groups}
        self.requirements: tuple[tuple[int, ...], ...] = tuple(dict.fromkeys(requirements.values()))
        self.requirement_of: dict[str, int] = {code: self.requirements.index(req) for code, req in requirements.items()}
        self.by_found: dict[tuple[bool, ...] | None, _Plan] = {}
        # many combinations of texts found select the same checks: one plan
        # each, kept only while some combination in by_found uses it
        self.by_checks: weakref.WeakValueDictionary[tuple[object, ...], _Plan] = weakref.WeakValueDictionary()
        # the last source planned and its plan: needs_tree() and then
        # FileCheck ask for the same file, which is searched once
        self.last: tuple[str | bytes | None, _Plan | None] = (None, None)

    def found_in(self, source: str | bytes) -> tuple[bool, ...]:
        """Per requirement: whether *source* holds a term of each of its groups.
        A needle is looked for only when a requirement still needs it, and
        the name of a term only when its module is imported."""
        needles = self.encoded if isinstance(source, bytes) else self.needles
        hits: list[bool | None] = [None] * len(needles)
        imports = None  # the import lines, cut out when a module is first looked for

        def hit(index: int) -> bool:
            nonlocal imports
            found = hits[index]
            if found is None:
                text, in_imports = needles[index]
                if in_imports:
                    if imports is None:
                        imports = import_lines(source)
                    found = text in imports  # type: ignore[operator]
                else:
                    found = text in source  # type: ignore[operator]
                hits[index] = found
            return found

        groups: list[bool | None] = [None] * len(self.groups)
        met_by_requirement = []
        for requirement in self.requirements:
            met = True
            for group in requirement:
                group_hit = groups[group]
                if group_hit is None:
                    group_hit = False
                    for term in self.groups[group]:
                        for index in term:
                            if not hit(index):
                                break
                        else:  # every needle of the term occurs
                            group_hit = True
                            break
                    groups[group] = group_hit
                if not group_hit:
                    met = False
                    break
            met_by_requirement.append(met)
        return tuple(met_by_requirement)

    def for_source(self, source: str | bytes | None) -> _Plan:
        last_source, last_plan = self.last
        if source is last_source and last_plan is not None:
            return last_plan
        found = None if source is None else self.found_in(source)
        by_found = self.by_found
        plan = by_found.pop(found, None)
        if plan is None:
            if len(by_found) >= _MAX_PLANS:  # bounded: memory stays flat over a large tree
                del by_found[next(iter(by_found))]  # the least recently used
            wanted = self._wanted(found)
            walk_annotations = found is None or found[self.requirement_of[_ANNOTATIONS]]
            key = (*(code for code, _ in wanted), walk_annotations)
            plan = self.by_checks.get(key)
            if plan is None:
                plan = self.by_checks[key] = _Plan(wanted, self.settings, self.index_calls, walk_annotations)
        by_found[found] = plan  # (re)inserted last: the order is by last use
        if source is not None:
            self.last = (source, plan)
        return plan

    def walks(self, plan: _Plan) -> bool:
        """Whether a file planned so is walked: not when every chosen check was
        skipped for want of its texts."""
        return not self.chosen or bool(plan.checks)

    def _wanted(self, found: tuple[bool, ...] | None) -> tuple[tuple[str, type[Check]], ...]:
        """The chosen checks whose needed texts occur (all of them without the source)."""
        if found is None:
            return self.chosen
        requirement_of = self.requirement_of
        return tuple((code, cls) for code, cls in self.chosen if code not in requirement_of or found[requirement_of[code]])


_plans_by_settings: dict[tuple[int, bool], _Plans] = {}
# plans kept per configuration (about 0.6 ms to build, 15 KB each)
_MAX_PLANS = 32


def _plans_for(settings: Settings, index_calls: bool) -> _Plans:
    key = (id(settings), index_calls)
    plans = _plans_by_settings.get(key)
    # the entry keeps its settings alive, so an id is never reused while cached;
    # tests register and patch checks, so a changed registry means new plans
    if plans is None or plans.settings is not settings or plans.registry_version != REGISTRY.version:
        if len(_plans_by_settings) > 64:
            _plans_by_settings.clear()
        plans = _plans_by_settings[key] = _Plans(settings, _checks_for(settings), index_calls)
    return plans


def forget_plans() -> None:
    """Drop the cached plans: needed only after a registered check class is
    changed at run time (tests patch handlers), since plans are built from
    the classes once per configuration."""
    _plans_by_settings.clear()


def _ignore(node: ast.AST) -> None:
    """The handler a failed check's handlers are replaced with."""


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
        plans = _plans_for(settings, index_calls)
        plan = plans.for_source(source)
        # every selected check declared text this file lacks: no need to walk
        self.nothing_to_do = not plans.walks(plan)
        # the checks reach the file through a weak proxy: no reference cycle
        # keeps a finished file (and its tree) alive until the cyclic GC runs
        me = weakref.proxy(self)
        analyses = []
        for factory, label in zip(plan.analyses, plan.owner_codes):
            shared = factory(RuleContext(label, me))
            shared.code = label
            analyses.append(shared)
        self.analyses: dict[type, Check] = dict(zip(plan.analyses, analyses))
        self.checks: list[Check] = []
        for code, cls in plan.checks:
            check = cls(RuleContext(code, me))
            factory = getattr(cls, "analysis", None)
            if factory is not None:
                check.analysis = self.analyses[factory]  # type: ignore[attr-defined]
            self.checks.append(check)
        self.users = plan.users
        owners = (*analyses, *self.checks)
        # handler i is method slots[i] of its owner; the plan's tables hold indexes
        self.handlers: list[Handler] = [getattr(owners[owner], attr) for owner, attr in plan.slots]
        self.handler_codes: list[str] = list(plan.slot_codes)
        self.enter, self.leave = plan.enter, plan.leave
        self.calls = plan.calls
        self.names_by_id, self.bound_names = plan.names_by_id, plan.bound_names
        self.quiet = plan.quiet
        self.walk_annotations = plan.walk_annotations

    def attach(self, check: Check) -> None:
        """Run one more check object on this file, seeing every node it subscribes to
        (for tests and tools that need a probe; call before :meth:`run`)."""
        self.checks.append(check)
        handlers = check.handlers if "handlers" in vars(type(check)) else _handlers_of(type(check))
        for kind, table_name in (("visit", "enter"), ("leave", "leave")):
            table = dict(getattr(self, table_name))  # the plan's tables are shared: copy
            for node_type, attr in handlers[kind]:
                self.handlers.append(getattr(check, attr))
                self.handler_codes.append(check.ctx.code)
                table[node_type] = (*table.get(node_type, ()), len(self.handlers) - 1)
            setattr(self, table_name, table)
        self.quiet = {}  # the plan's list of quiet node types does not know this check

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
        # the tables are shared with other files: the handlers are replaced instead
        handlers = self.handlers
        for index, owner in enumerate(self.handler_codes):
            if owner == code:
                handlers[index] = _ignore

    def model_error(self, exc: BaseException, node: ast.AST | None) -> None:
        """A model update failed: the model stays silent about that node.

        RecursionError comes from absurdly deep expressions (a 3,000-level
        ``a / b / c ...``), not from a bug, so it is not reported; anything
        else is reported once per file as PBK000 for "model".
        """
        if not isinstance(exc, RecursionError):
            self.internal_error("model", exc, node)

    def _dispatch(self, slots: tuple[int, ...], node: ast.AST) -> None:
        handlers = self.handlers
        for slot in slots:
            try:
                handlers[slot](node)
            except Exception as exc:  # one broken rule must not lose the others
                self.internal_error(self.handler_codes[slot], exc, node)

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
        lean = not self.walk_annotations
        shapes = _lean_shapes if lean else _shapes
        Name, Constant, Load = ast.Name, ast.Constant, ast.Load
        Call, Attribute = ast.Call, ast.Attribute
        bind = model.bind
        calls = self.calls
        call_enter = enter.get(Call)
        aliases = model.import_aliases  # `from m import f as g`: calls of g count as calls of f
        names_by_id, bound_names = self.names_by_id, self.bound_names
        name_enter, name_leave = enter.get(Name), leave.get(Name)
        constant_enter, constant_leave = enter.get(Constant), leave.get(Constant)
        quiet = self.quiet
        handlers = self.handlers  # replaced in place when a check fails (see _drop_handlers)
        model_calls = model.call_updates()
        while stack:
            node = pop()
            cls = node.__class__
            # the two commonest node types first: 40% of all nodes, no children
            if cls is Name:
                filtered = None  # handlers of the rules that want only some names
                if node.ctx.__class__ is not Load:
                    bind(node.id, None, node)
                    if bound_names:
                        filtered = bound_names
                elif names_by_id:
                    key = node.id
                    filtered = names_by_id.get(aliases.get(key, key))
                if name_enter is not None:
                    # the dispatch loop, inlined: Name is a fifth of all nodes
                    for slot in name_enter:
                        try:
                            handlers[slot](node)
                        except Exception as exc:  # one broken rule must not lose the others
                            self.internal_error(self.handler_codes[slot], exc, node)
                if filtered is not None:
                    dispatch(filtered, node)
                if name_leave is not None:
                    dispatch(name_leave, node)
                continue
            if cls is Constant:
                if constant_enter is not None:
                    dispatch(constant_enter, node)
                if constant_leave is not None:
                    dispatch(constant_leave, node)
                continue
            fields = quiet.get(cls)
            if fields is None:  # a quiet node type has nothing to do but descend
                shape = shapes.get(cls) or _shape(cls, lean)
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
                        slots = leave.get(node.__class__)
                        if slots is not None:
                            dispatch(slots, node)
                        model.pop_scope()
                    else:
                        slots = leave.get(node.__class__)
                        if slots is not None:
                            dispatch(slots, node)
                    continue
                if kind == _IGNORED:
                    quiet[cls] = ()
                    continue

                update = shape[2]
                if update is not None:
                    try:
                        update(model, node)
                    except Exception as exc:
                        self.model_error(exc, node)
                if cls is Call:
                    # the callee's last name picks the model layers and the checks that declared `calls`
                    func = node.func
                    if func.__class__ is Attribute:
                        key = func.attr
                    elif func.__class__ is Name:
                        key = func.id
                        if aliases:
                            key = aliases.get(key, key)
                    else:
                        key = None
                    wanted = calls.get(key)  # type: ignore[arg-type]
                    if wanted is None:
                        if call_enter is not None:
                            dispatch(call_enter, node)
                    else:
                        by_model, first, by_name = wanted
                        if by_model:
                            try:
                                model_calls[key](node)  # type: ignore[index]
                            except Exception as exc:
                                self.model_error(exc, node)
                        if first is not None:
                            dispatch(first, node)
                        if call_enter is not None:
                            dispatch(call_enter, node)
                        if by_name is not None:
                            dispatch(by_name, node)
                else:
                    slots = enter.get(cls)
                    if slots is not None:
                        for slot in slots:  # the dispatch loop, inlined
                            try:
                                handlers[slot](node)
                            except Exception as exc:  # one broken rule must not lose the others
                                self.internal_error(self.handler_codes[slot], exc, node)
                    elif kind == _PLAIN and update is None and cls not in leave:
                        quiet[cls] = shape[1]  # next time: straight to the children

                fields = shape[1]
                if kind == _PLAIN:
                    if cls in leave:
                        push((_LEAVE, node))
                elif kind == _SCOPE:
                    # outer parts (decorators, defaults, bases) first, then the body in its own scope
                    push((_CLOSE, node))
                    body = node.body
                    if body.__class__ is list:
                        extend(body[::-1])
                    else:
                        push(body)  # a lambda's expression
                    push((_OPEN, node))
                else:  # a comprehension: every part inside its own scope, so the open mark goes on top
                    push((_CLOSE, node))
                    for name in fields:
                        value = getattr(node, name, None)
                        if value.__class__ is list:
                            if value:
                                extend(value[::-1])
                        elif value is not None:
                            push(value)
                    push((_OPEN, node))
                    continue

            for name in fields:  # the children, in reverse: the first is popped first
                value = getattr(node, name, None)
                if value.__class__ is list:
                    if value:
                        extend(value[::-1])
                elif value is not None:
                    push(value)


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


def needs_tree(settings: Settings, source: str | bytes) -> bool:
    """Whether checking *source* walks its tree: False when every selected
    check declared text the source lacks (see the module docstring), so no
    check can report on it. The plan found serves the FileCheck of the same
    source object next."""
    plans = _plans_for(settings, True)
    return plans.walks(plans.for_source(source))


def check_syntax(source: str | bytes, filename: str = "<unknown>") -> None:
    """Raise what :func:`parse` raises on *source*, without building the tree.

    For files no check reads: CPython's symbol table runs the same parser
    and frees its own tree, about a quarter cheaper than ``ast.parse`` and
    the freeing of the tree it builds. The symbol table also rejects code the
    parser accepts (``def f(a, a)``, a misplaced ``nonlocal``) and, on 3.10,
    gives up on long chains the parser takes; any failure is therefore
    handed to the parser for its own verdict.
    """
    if _symbol_table is not None:
        try:
            _symbol_table(source, filename, "exec")
            return
        except Exception:
            pass
    parse(source, filename)


def check_source(source: str | bytes, settings: Settings, filename: str = "<unknown>") -> list[Finding]:
    """Parse and check; raises SyntaxError (and ValueError for NUL bytes) on bad input."""
    if not needs_tree(settings, source):
        check_syntax(source, filename)
        return []
    tree = parse(source, filename)
    return check_tree(tree, settings, filename, source)
