"""How a check is registered under its rule code.

A check is either a function subscribed to node types::

    @rule("PBK105", ast.Call)
    def blocking_sleep(node, ctx): ...

or a small class with ``visit_<Node>``/``leave_<Node>``/``finish`` methods
for rules that need state across nodes::

    @rule("PBK114")
    class SemaphorePerCall(Check): ...

One instance of a check exists per file. Checks read ``ctx.model`` and call
``ctx.report(node, **message_args)``; they never format messages.
"""

from __future__ import annotations

import ast
from functools import partial
from typing import Any, Callable, ClassVar

class _Registry(dict):  # type: ignore[type-arg]
    """Rule code -> check class; ``version`` changes whenever an entry does, so
    the engine can keep what it derived from the registry until then."""

    version = 0

    def __setitem__(self, code: str, cls: type[Check]) -> None:
        super().__setitem__(code, cls)
        self.version += 1

    def __delitem__(self, code: str) -> None:
        super().__delitem__(code)
        self.version += 1


REGISTRY: _Registry = _Registry()


class RuleContext:
    """What one check sees of the file being checked."""

    __slots__ = ("code", "file", "model", "settings")

    def __init__(self, code: str, file: Any) -> None:
        self.code = code
        self.file = file
        self.model = file.model
        self.settings = file.settings

    def report(self, node: ast.AST, **args: object) -> None:
        self.file.add(self.code, node, args)

    def report_at(self, line: int, col: int, end_line: int | None = None, end_col: int | None = None, **args: object) -> None:
        self.file.add_at(self.code, line, col, end_line, end_col, args)

    def option(self, name: str, default: Any = None) -> Any:
        return self.settings.options.get(name, default)


class Check:
    """Base class of a check; subclasses add visit_/leave_ methods."""

    code: ClassVar[str] = ""
    handlers: ClassVar[dict[str, list[tuple[type, str]]]] = {}
    #: When set, ``visit_Call`` sees only calls whose callee ends in one of
    #: these names (see the engine's docstring); None: every call.
    calls: ClassVar[frozenset[str] | None] = None
    #: A rule option whose configured dotted names add their last parts to ``calls``.
    calls_option: ClassVar[str | None] = None
    #: When set, ``visit_Name`` sees only names read whose identifier (as
    #: imported) is one of these; None: every name.
    names: ClassVar[frozenset[str] | None] = None
    #: When True, ``visit_Name`` sees only names being bound (or deleted), never names read.
    bound_names_only: ClassVar[bool] = False

    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self.model = ctx.model

    def report(self, node: ast.AST, **args: object) -> None:
        self.ctx.report(node, **args)

    def finish(self) -> None:
        """Called once after the walk, when the whole model is known."""


def _collect_handlers(cls: type[Check]) -> dict[str, list[tuple[type, str]]]:
    found: dict[str, list[tuple[type, str]]] = {"visit": [], "leave": []}
    for attr in dir(cls):
        kind, _, node_name = attr.partition("_")
        # the module's own names: getattr would also reach the aliases it keeps
        # for removed node types (ast.Num, ast.Ellipsis ...) and warn about them
        node_type = vars(ast).get(node_name) if kind in found and node_name else None
        if isinstance(node_type, type) and issubclass(node_type, ast.AST):
            found[kind].append((node_type, attr))
    return found


def rule(
    code: str,
    *node_types: type,
    needs_text: tuple[str, ...] = (),
    needs_import: tuple[str, ...] = (),
    needs_text_option: str | None = None,
    needs_text_too: tuple[str, ...] | dict[str, tuple[str, ...]] = (),
    calls: tuple[str, ...] | frozenset[str] | None = None,
) -> Callable[[Any], Any]:
    """Register a check function (with node types) or a Check subclass.

    *needs_text*: the rule can only fire on a file containing one of these
    strings (the engine skips it elsewhere); *needs_import*: or importing one
    of these modules (looked for on the lines of import statements only: for
    rules that act through qualified names); *needs_text_option*: a rule
    option whose configured names count as such strings too;
    *needs_text_too*: the file must also contain one of these (given as
    ``{module: names}``, a name counts only in a file importing its module,
    as for names that mean something only as that module's). *calls*: the
    rule looks only at calls of these names (the attribute called, or the
    name called as imported): the engine hands it no other ``Call``.
    """

    def register(target: Any) -> Any:
        if code in REGISTRY:
            raise ValueError(f"{code} is registered twice")
        if isinstance(target, type) and issubclass(target, Check):
            cls = target
        else:
            cls = _function_check(target, node_types)
        cls.code = code
        if calls is not None:
            cls.calls = frozenset(calls)
        if needs_text_too and not (needs_text or needs_import):
            raise ValueError(f"{code}: needs_text_too is only read with needs_text or needs_import")
        if needs_text or needs_import:
            cls.needs_text = tuple(needs_text)
            cls.needs_import = tuple(needs_import)
            cls.needs_text_option = needs_text_option
            cls.needs_text_too = {m: tuple(t) for m, t in needs_text_too.items()} if isinstance(needs_text_too, dict) else tuple(needs_text_too)
        cls.handlers = _collect_handlers(cls)
        if not cls.handlers["visit"] and not cls.handlers["leave"] and cls.finish is Check.finish:
            raise ValueError(f"{code}: the check subscribes to nothing")
        REGISTRY[code] = cls
        return target

    return register


def _function_check(fn: Callable[[Any, RuleContext], None], node_types: tuple[type, ...]) -> type[Check]:
    if not node_types:
        raise ValueError(f"{fn.__name__}: a check function needs node types")

    def visit(self: Check, node: ast.AST) -> None:
        fn(node, self.ctx)

    names = [f"visit_{node_type.__name__}" for node_type in node_types]

    def __init__(self: Check, ctx: RuleContext) -> None:
        Check.__init__(self, ctx)
        # one C-level call per node instead of a method frame around the function
        direct = partial(fn, ctx=ctx)
        for name in names:
            setattr(self, name, direct)

    namespace: dict[str, Any] = {"__doc__": fn.__doc__, "__module__": fn.__module__, "__init__": __init__}
    for name in names:
        namespace[name] = visit
    return type(fn.__name__, (Check,), namespace)
