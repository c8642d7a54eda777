"""Asyncio rules (PBK1xx): tasks, cancellation, blocking the event loop."""

from __future__ import annotations

import ast

from ..model.receivers import LOOP, attribute_chain
from . import blocking_calls
from .registry import Check, RuleContext, rule

CANCELLED_ERRORS = frozenset({"asyncio.CancelledError", "asyncio.exceptions.CancelledError", "builtins.BaseException"})
SUPPRESS = frozenset({"contextlib.suppress"})
TASK_FACTORIES = frozenset({"asyncio.create_task", "asyncio.ensure_future", "asyncio.tasks.create_task", "asyncio.tasks.ensure_future"})
CALLBACK_REGISTRARS = frozenset(
    {"add_signal_handler", "call_soon", "call_soon_threadsafe", "call_later", "call_at", "add_done_callback", "add_reader", "add_writer"}
)
_TRY_TYPES = tuple(t for t in (ast.Try, getattr(ast, "TryStar", None)) if t is not None)


# -- PBK105 to PBK108: blocking calls -------------------------------------


def _report_blocking(node: ast.Call, ctx: RuleContext) -> None:
    if not ctx.model.in_async:
        return
    qualname = ctx.model.call_name(node)
    entry = blocking_calls.lookup(qualname, ctx.option("blocking-calls"))
    if entry is not None and entry.code == ctx.code:
        ctx.report(node, call=qualname, instead=entry.instead)


@rule("PBK105", ast.Call)
def blocking_sleep(node: ast.Call, ctx: RuleContext) -> None:
    _report_blocking(node, ctx)


# -- PBK104: dangling task ------------------------------------------------


def _task_call(call: ast.expr, ctx: RuleContext) -> str | None:
    """The name of the task factory *call* uses, if it creates an asyncio task."""
    if not isinstance(call, ast.Call):
        return None
    qualname = ctx.model.call_name(call)
    if qualname in TASK_FACTORIES:
        return qualname.rpartition(".")[2]
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "create_task" and ctx.model.kind_of(func.value) == LOOP:
        return "loop.create_task"
    return None


@rule("PBK104")
class DanglingTask(Check):
    def visit_Expr(self, node: ast.Expr) -> None:
        factory = _task_call(node.value, self.ctx)
        if factory:
            self.report(node.value, call=factory)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in CALLBACK_REGISTRARS):
            return
        for arg in (*node.args, *(k.value for k in node.keywords)):
            if isinstance(arg, ast.Lambda):
                factory = _task_call(arg.body, self.ctx)
                if factory:
                    self.report(arg.body, call=factory)


# -- PBK103: cancellation swallowed ---------------------------------------

RERAISE, EXIT, FALL = "reraise", "exit", "fall"


def _outcomes(stmts: list[ast.stmt], caught: str | None, in_loop: bool = False) -> set[str]:
    """How a handler body can end: re-raising, leaving some other way, or falling off the end."""
    found: set[str] = set()
    for stmt in stmts:
        here = _statement_outcomes(stmt, caught, in_loop)
        found |= here - {FALL}
        if FALL not in here:
            return found
    found.add(FALL)
    return found


def _statement_outcomes(stmt: ast.stmt, caught: str | None, in_loop: bool) -> set[str]:
    if isinstance(stmt, ast.Raise):
        if stmt.exc is None or (caught is not None and isinstance(stmt.exc, ast.Name) and stmt.exc.id == caught):
            return {RERAISE}
        return {EXIT}  # a different exception: the task now looks failed, not cancelled
    if isinstance(stmt, ast.Return):
        return {EXIT}
    if isinstance(stmt, (ast.Break, ast.Continue)):
        return {FALL} if in_loop else {EXIT}
    if isinstance(stmt, ast.If):
        return _outcomes(stmt.body, caught, in_loop) | _outcomes(stmt.orelse, caught, in_loop)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return _outcomes(stmt.body, caught, in_loop)
    if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
        return _outcomes(stmt.body, caught, True) | _outcomes(stmt.orelse, caught, in_loop) | {FALL}
    if isinstance(stmt, _TRY_TYPES):
        final = _outcomes(stmt.finalbody, caught, in_loop) if stmt.finalbody else {FALL}
        if FALL not in final:
            return final
        result = _outcomes(stmt.body + stmt.orelse, caught, in_loop)
        for handler in stmt.handlers:
            result |= _outcomes(handler.body, caught, in_loop)
        return result | (final - {FALL})
    if isinstance(stmt, getattr(ast, "Match", ())):
        result = {FALL}
        for case in stmt.cases:
            result |= _outcomes(case.body, caught, in_loop)
        return result
    return {FALL}


def _catches_cancellation(handler: ast.ExceptHandler, ctx: RuleContext) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(ctx.model.qualname(t) in CANCELLED_ERRORS for t in types)


def _awaited_names(stmts: list[ast.stmt]) -> set[str]:
    """Dotted names awaited by the top-level statements (directly or as an argument)."""
    names: set[str] = set()
    for stmt in stmts:
        value = getattr(stmt, "value", None)
        if not isinstance(value, ast.Await):
            continue
        operand = value.value
        candidates = [operand]
        if isinstance(operand, ast.Call):
            candidates = [a.value if isinstance(a, ast.Starred) else a for a in operand.args]
        for candidate in candidates:
            chain = attribute_chain(candidate)
            if chain:
                names.add(chain)
    return names


@rule("PBK103")
class CancellationSwallowed(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        # per function: dotted names on which .cancel() was called so far
        self.cancelled: dict[ast.AST | None, set[str]] = {}
        # per function: loop variable -> what it iterates (`for t in tasks`)
        self.loop_sources: dict[ast.AST | None, dict[str, str]] = {}

    def visit_For(self, node: ast.For) -> None:
        source = attribute_chain(node.iter)
        if source and isinstance(node.target, ast.Name):
            self.loop_sources.setdefault(self.model.function, {})[node.target.id] = source

    visit_AsyncFor = visit_For

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "cancel":
            chain = attribute_chain(func.value)
            if chain:
                cancelled = self.cancelled.setdefault(self.model.function, set())
                cancelled.add(chain)
                # cancelling every task of a collection, then reaping the collection
                source = self.loop_sources.get(self.model.function, {}).get(chain)
                if source:
                    cancelled.add(source)

    def _reaps_cancelled_task(self, body: list[ast.stmt]) -> bool:
        cancelled = self.cancelled.get(self.model.function)
        return bool(cancelled) and not _awaited_names(body).isdisjoint(cancelled)

    def visit_Try(self, node: ast.Try) -> None:
        if not self.model.in_async or self._reaps_cancelled_task(node.body):
            return
        for handler in node.handlers:
            if _catches_cancellation(handler, self.ctx) and (_outcomes(handler.body, handler.name) - {RERAISE}):
                self.report(handler)

    visit_TryStar = visit_Try

    def visit_With(self, node: ast.With) -> None:
        if not self.model.in_async:
            return
        for item in node.items:
            call = item.context_expr
            if not (isinstance(call, ast.Call) and self.model.call_name(call) in SUPPRESS):
                continue
            if any(self.model.qualname(arg) in CANCELLED_ERRORS for arg in call.args):
                if not self._reaps_cancelled_task(node.body):
                    self.report(node)
