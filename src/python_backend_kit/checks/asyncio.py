"""Asyncio rules (PBK1xx): tasks, cancellation, blocking the event loop."""

from __future__ import annotations

import ast

from ..model.receivers import LOOP, attribute_chain
from ..model.scopes import FUNCTION, LAMBDA
from . import blocking_calls
from .common import GATHER, TASK_FACTORIES, WAIT_FOR, last_names
from .registry import Check, RuleContext, rule

CANCELLED_ERRORS = frozenset({"asyncio.CancelledError", "asyncio.exceptions.CancelledError", "builtins.BaseException"})
ASYNCIO_CANCELLED = frozenset({"asyncio.CancelledError", "asyncio.exceptions.CancelledError"})
SUPPRESS = frozenset({"contextlib.suppress"})
CALLBACK_REGISTRARS = frozenset(
    {"add_signal_handler", "call_soon", "call_soon_threadsafe", "call_later", "call_at", "add_done_callback", "add_reader", "add_writer"}
)
ASYNCIO_RUN = frozenset({"asyncio.run", "asyncio.runners.run"})
GET_EVENT_LOOP = frozenset({"asyncio.get_event_loop", "asyncio.events.get_event_loop"})
TASK_GROUPS = frozenset({"asyncio.TaskGroup", "asyncio.taskgroups.TaskGroup"})
CANCEL_SCOPES = {
    "asyncio.timeout": "asyncio.timeout()",
    "asyncio.timeouts.timeout": "asyncio.timeout()",
    "asyncio.timeout_at": "asyncio.timeout_at()",
    "asyncio.timeouts.timeout_at": "asyncio.timeout_at()",
    "asyncio.TaskGroup": "asyncio.TaskGroup()",
    "asyncio.taskgroups.TaskGroup": "asyncio.TaskGroup()",
}
# decorators that turn an async generator into a single-yield context
SINGLE_YIELD_DECORATORS = frozenset(
    {"contextlib.asynccontextmanager", "pytest.fixture", "pytest_asyncio.fixture", "pytest_asyncio.plugin.fixture"}
)
SEMAPHORES = frozenset({"asyncio.Semaphore", "asyncio.BoundedSemaphore", "asyncio.locks.Semaphore", "asyncio.locks.BoundedSemaphore"})
# calls that start concurrent work (PBK114: a function that spawns may share its semaphore)
SPAWNERS = frozenset(
    {
        *GATHER,
        *TASK_FACTORIES,
        *TASK_GROUPS,
        "asyncio.wait",
        "asyncio.tasks.wait",
        "asyncio.as_completed",
        "asyncio.tasks.as_completed",
        "anyio.create_task_group",
    }
)
SPAWNING_METHODS = frozenset({"create_task", "start_soon", "start", "ensure_future", "run_in_executor"})
_TRY_TYPES = tuple(t for t in (ast.Try, getattr(ast, "TryStar", None)) if t is not None)


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _has_star_kwargs(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)


def _loop_method(call: ast.Call, ctx: RuleContext, methods: frozenset[str]) -> str | None:
    """The method name when *call* is ``loop.<method>(...)`` on a known event loop."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in methods and ctx.model.kind_of(func.value) == LOOP:
        return func.attr
    return None


# -- PBK105 to PBK108: blocking calls -------------------------------------


def _blocking_entry(node: ast.Call, ctx: RuleContext) -> tuple[str, blocking_calls.BlockingCall] | None:
    """(name to show, table entry) for a call found in the blocking-calls table."""
    extra = ctx.option("blocking-calls")
    qualname = ctx.model.call_name(node)
    entry = blocking_calls.lookup(qualname, extra)
    if entry is not None and qualname is not None:
        return qualname.removeprefix("builtins."), entry
    func = node.func
    if isinstance(func, ast.Attribute):
        kind = ctx.model.kind_of(func.value)
        if kind is not None:
            method = f"{kind}.{func.attr}"
            entry = blocking_calls.lookup(method, extra)
            if entry is not None:
                return method, entry
    return None


class BlockingCallLookup(Check):
    """Shared by PBK105 to PBK108 (the engine makes one per file): the table
    lookup for each call in async code, done once instead of once per rule."""

    calls = last_names(blocking_calls.BLOCKING_CALLS)
    calls_option = "blocking-calls"

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.node: ast.Call | None = None
        self.found: tuple[str, blocking_calls.BlockingCall] | None = None

    def visit_Call(self, node: ast.Call) -> None:
        self.node = node
        self.found = _blocking_entry(node, self.ctx) if self.model.in_async else None


class BlockingCallRule(Check):
    """Reports the calls of the shared lookup whose table entry names this rule."""

    analysis = BlockingCallLookup
    calls = BlockingCallLookup.calls
    calls_option = BlockingCallLookup.calls_option

    def visit_Call(self, node: ast.Call) -> None:
        lookup = self.analysis  # type: ignore[attr-defined]
        found = lookup.found if lookup.node is node else None
        if found is not None and found[1].code == self.code:
            self.report(node, call=found[0], instead=found[1].instead)


@rule("PBK105", needs_text=("async",))
class BlockingSleep(BlockingCallRule):
    pass


@rule("PBK106", needs_text=("async",))
class BlockingHttpCall(BlockingCallRule):
    pass


@rule("PBK107", needs_text=("async",))
class BlockingSubprocess(BlockingCallRule):
    pass


@rule("PBK108", needs_text=("async",))
class BlockingFileIo(BlockingCallRule):
    pass


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


@rule("PBK104", needs_text=("async",), needs_text_too={"asyncio": ("create_task", "ensure_future")}, calls=CALLBACK_REGISTRARS)
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


class _Flow:
    """What the handler analysis knows beyond the statements: which local
    classes are CancelledError subclasses, and how names resolve."""

    def __init__(self, ctx: RuleContext | None = None, cancellation_classes: frozenset[str] = frozenset()) -> None:
        self.ctx = ctx
        self.cancellation_classes = cancellation_classes

    def is_cancellation(self, expr: ast.expr) -> bool:
        """*expr* names CancelledError, BaseException or a local subclass of CancelledError."""
        if isinstance(expr, ast.Call):
            expr = expr.func
        if isinstance(expr, ast.Name) and expr.id in self.cancellation_classes:
            return True
        return self.ctx is not None and self.ctx.model.qualname(expr) in CANCELLED_ERRORS

    def excludes_cancellation(self, test: ast.expr, caught: str | None) -> bool:
        """*test* holds only when the caught exception is not a cancellation:
        ``isinstance(exc, OSError)`` alone or in an ``and`` chain."""
        if caught is None or self.ctx is None:
            return False
        tests = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        for candidate in tests:
            if not (
                isinstance(candidate, ast.Call)
                and isinstance(candidate.func, ast.Name)
                and candidate.func.id == "isinstance"
                and len(candidate.args) == 2
                and isinstance(candidate.args[0], ast.Name)
                and candidate.args[0].id == caught
            ):
                continue
            classes = candidate.args[1]
            names = classes.elts if isinstance(classes, ast.Tuple) else [classes]
            if names and not any(self.is_cancellation(n) for n in names):
                return True
        return False


_NO_FLOW = _Flow()


def _outcomes(stmts: list[ast.stmt], caught: str | None, in_loop: bool = False, flow: _Flow = _NO_FLOW) -> set[str]:
    """How a handler body can end: re-raising, leaving some other way, or falling off the end."""
    found: set[str] = set()
    for stmt in stmts:
        here = _statement_outcomes(stmt, caught, in_loop, flow)
        found |= here - {FALL}
        if FALL not in here:
            return found
    found.add(FALL)
    return found


def _statement_outcomes(stmt: ast.stmt, caught: str | None, in_loop: bool, flow: _Flow = _NO_FLOW) -> set[str]:
    if isinstance(stmt, ast.Raise):
        if stmt.exc is None or (caught is not None and isinstance(stmt.exc, ast.Name) and stmt.exc.id == caught):
            return {RERAISE}
        if flow.is_cancellation(stmt.exc):
            return {RERAISE}  # a CancelledError (subclass) still reads as cancelled
        return {EXIT}  # a different exception: the task now looks failed, not cancelled
    if isinstance(stmt, ast.Return):
        return {EXIT}
    if isinstance(stmt, (ast.Break, ast.Continue)):
        return {FALL} if in_loop else {EXIT}
    if isinstance(stmt, ast.If):
        orelse = _outcomes(stmt.orelse, caught, in_loop, flow)
        if flow.excludes_cancellation(stmt.test, caught):
            return orelse  # a cancellation never takes this branch
        return _outcomes(stmt.body, caught, in_loop, flow) | orelse
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return _outcomes(stmt.body, caught, in_loop, flow)
    if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
        return _outcomes(stmt.body, caught, True, flow) | _outcomes(stmt.orelse, caught, in_loop, flow) | {FALL}
    if isinstance(stmt, _TRY_TYPES):
        final = _outcomes(stmt.finalbody, caught, in_loop, flow) if stmt.finalbody else {FALL}
        if FALL not in final:
            return final
        result = _outcomes(stmt.body + stmt.orelse, caught, in_loop, flow)
        for handler in stmt.handlers:
            result |= _outcomes(handler.body, caught, in_loop, flow)
        return result | (final - {FALL})
    if isinstance(stmt, getattr(ast, "Match", ())):
        result = {FALL}
        for case in stmt.cases:
            result |= _outcomes(case.body, caught, in_loop, flow)
        return result
    return {FALL}


def _catches_cancellation(handler: ast.ExceptHandler, ctx: RuleContext) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(ctx.model.qualname(t) in CANCELLED_ERRORS for t in types)


FORWARDING_METHODS = frozenset({"append", "add", "put", "put_nowait", "set_exception", "throw", "athrow", "send"})


def _passes_on(stmts: list[ast.stmt], caught: str | None) -> bool:
    """The handler hands the caught exception to something that may raise it
    later: ``errors.append(exc)``, ``future.set_exception(exc)``,
    ``gen.throw(exc)``, ``self._error = exc``. Whether it is re-raised cannot
    be told from here, so the rule stays silent."""
    if caught is None:
        return False
    for stmt in stmts:
        value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        if isinstance(stmt, ast.Assign) and isinstance(value, ast.Name) and value.id == caught:
            return True
        if isinstance(value, ast.Await):
            value = value.value
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in FORWARDING_METHODS
            and any(isinstance(a, ast.Name) and a.id == caught for a in value.args)
        ):
            return True
    return False


def _records_cancellation(stmts: list[ast.stmt]) -> bool:
    """The handler sets a flag such as ``cancelled = True`` to re-raise after cleanup."""
    for stmt in stmts:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and stmt.value.value is True:
            for target in stmt.targets:
                name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else ""
                if "cancel" in name.lower():
                    return True
    return False


def _awaited_names(stmts: list[ast.stmt]) -> set[str]:
    """Dotted names awaited by the top-level statements (directly or as an argument).

    Wrappers are looked through: ``await asyncio.wait_for(asyncio.shield(t), 5)``
    awaits ``t``.
    """
    names: set[str] = set()
    for stmt in stmts:
        value = getattr(stmt, "value", None)
        if not isinstance(value, ast.Await):
            continue
        candidates: list[ast.expr] = [value.value]
        for _ in range(3):  # a few levels of wrapper calls
            calls = [c for c in candidates if isinstance(c, ast.Call)]
            for candidate in candidates:
                chain = attribute_chain(candidate)
                if chain:
                    names.add(chain)
            candidates = [a.value if isinstance(a, ast.Starred) else a for call in calls for a in call.args]
            if not candidates:
                break
    return names


def _checks_cancelling(stmts: list[ast.stmt]) -> bool:
    """``if task.cancelling(): raise``: re-raises exactly when this task is being cancelled.

    The other CancelledErrors come from the awaited thing (a future or task
    that was cancelled), not from a cancellation of this task (Python 3.11+).
    """
    for stmt in stmts:
        if isinstance(stmt, ast.If) and RERAISE in _outcomes(stmt.body, None):
            for node in ast.walk(stmt.test):  # a bounded peek at one condition
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "cancelling":
                    return True
    return False


@rule("PBK103", needs_text=("async",), calls=("cancel",))
class CancellationSwallowed(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        # per function: dotted names on which .cancel() was called so far
        self.cancelled: dict[ast.AST | None, set[str]] = {}
        # per function: loop variable -> what it iterates (`for t in tasks`)
        self.loop_sources: dict[ast.AST | None, dict[str, str]] = {}
        # open try/with blocks with findings, decided when they close:
        # [function, node, findings, body suspends, body over]
        self.pending: list[list] = []
        # open handlers that catch CancelledError and re-raise on every path
        self.reraising: list[tuple[ast.AST | None, ast.ExceptHandler]] = []
        # classes of this module that derive from CancelledError
        self.cancellation_classes: set[str] = set()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        flow = self._flow()
        if any(flow.is_cancellation(base) for base in node.bases):
            self.cancellation_classes.add(node.name)

    def _flow(self) -> _Flow:
        return _Flow(self.ctx, frozenset(self.cancellation_classes))

    def visit_For(self, node: ast.For) -> None:
        source = attribute_chain(node.iter)
        if source and isinstance(node.target, ast.Name):
            self.loop_sources.setdefault(self.model.function, {})[node.target.id] = source

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

    # A cancellation is delivered only where the task suspends (await, async
    # for, async with). A handler or suppress() whose protected body never
    # suspends catches a CancelledError raised by something else, such as
    # `task.result()` on a task that was cancelled: not this task's own.
    # So findings wait until the protected body has been seen.

    def _open(self, node: ast.AST, findings: list[ast.AST]) -> None:
        self.pending.append([self.model.function, node, findings, False, False])

    def _close(self, node: ast.AST) -> None:
        if self.pending and self.pending[-1][1] is node:
            _, _, findings, suspends, _ = self.pending.pop()
            if suspends:
                for finding in findings:
                    self.report(finding)

    def _suspends(self, node: ast.AST) -> None:
        function = self.model.function
        for entry in self.pending:
            if entry[0] is function and not entry[4]:
                entry[3] = True

    visit_Await = visit_AsyncWith = _suspends

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self._suspends(node)
        self.visit_For(node)  # type: ignore[arg-type]

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        for entry in reversed(self.pending):
            if isinstance(entry[1], _TRY_TYPES) and node in entry[1].handlers:
                entry[4] = True  # the protected body is over
                break
        if self.model.in_async and _catches_cancellation(node, self.ctx) and _outcomes(node.body, node.name, flow=self._flow()) == {RERAISE}:
            self.reraising.append((self.model.function, node))

    def leave_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if self.reraising and self.reraising[-1][1] is node:
            self.reraising.pop()

    def _in_reraising_handler(self) -> bool:
        """Inside a handler that passes the cancellation on at its end, whatever it drains first."""
        function = self.model.function
        return any(owner is function for owner, _ in self.reraising)

    def visit_Try(self, node: ast.Try) -> None:
        if not self.model.in_async or self._reaps_cancelled_task(node.body) or self._in_reraising_handler():
            return
        findings = [
            handler
            for handler in node.handlers
            if _catches_cancellation(handler, self.ctx)
            and (_outcomes(handler.body, handler.name, flow=self._flow()) - {RERAISE})
            and not _records_cancellation(handler.body)
            and not _passes_on(handler.body, handler.name)
            and not _checks_cancelling(handler.body)
        ]
        if findings:
            self._open(node, findings)

    visit_TryStar = visit_Try

    def leave_Try(self, node: ast.Try) -> None:
        self._close(node)

    leave_TryStar = leave_Try

    def visit_With(self, node: ast.With) -> None:
        if not self.model.in_async:
            return
        for item in node.items:
            call = item.context_expr
            if not (isinstance(call, ast.Call) and self.model.call_name(call) in SUPPRESS):
                continue
            if any(self.model.qualname(arg) in CANCELLED_ERRORS for arg in call.args):
                if not self._reaps_cancelled_task(node.body) and not self._in_reraising_handler():
                    self._open(node, [node])
                return

    def leave_With(self, node: ast.With) -> None:
        self._close(node)


# -- PBK101, PBK102: 3.11 structured concurrency ----------------------------


# PBK101, PBK102, PBK110-PBK112 need only "async" (every file that uses asyncio
# names it): with `calls` they cost nearly nothing on files lacking their calls,
# while searching each file for their own words costs more than it saves.
@rule("PBK101", needs_text=("async",), calls=last_names(GATHER))
class GatherInsteadOfTaskGroup(Check):
    def visit_Call(self, node: ast.Call) -> None:
        if self.model.call_name(node) not in GATHER:
            return
        if _has_star_kwargs(node):
            return  # return_exceptions may be in there: cannot tell
        keyword = _keyword(node, "return_exceptions")
        if keyword is not None and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value):
            return  # True, or not a literal: gather's own semantics are wanted
        self.report(node)


@rule("PBK102", needs_text=("async",), calls=last_names(WAIT_FOR))
class WaitForInsteadOfTimeout(Check):
    def visit_Call(self, node: ast.Call) -> None:
        if self.model.call_name(node) in WAIT_FOR:
            self.report(node)


# -- PBK109 to PBK111: event loops ----------------------------------------


@rule("PBK109", ast.Call, needs_text=("async",), calls=last_names(ASYNCIO_RUN) | {"run_until_complete", "run_forever"})
def nested_event_loop(node: ast.Call, ctx: RuleContext) -> None:
    if not ctx.model.in_async:
        return
    if ctx.model.call_name(node) in ASYNCIO_RUN:
        ctx.report(node, call="asyncio.run")
        return
    method = _loop_method(node, ctx, frozenset({"run_until_complete", "run_forever"}))
    if method:
        ctx.report(node, call=f"loop.{method}")


@rule("PBK110", ast.Call, needs_text=("async",), calls=last_names(GET_EVENT_LOOP))
def get_event_loop(node: ast.Call, ctx: RuleContext) -> None:
    if ctx.model.call_name(node) not in GET_EVENT_LOOP:
        return
    if ctx.model.in_async:
        instead = "asyncio.get_running_loop()"
    else:
        instead = "asyncio.get_running_loop() where a loop runs, else asyncio.run() or asyncio.Runner"
    ctx.report(node, instead=instead)


@rule("PBK111", ast.Call, needs_text=("async",), calls=("run_in_executor",))
def run_in_executor_default(node: ast.Call, ctx: RuleContext) -> None:
    if not _loop_method(node, ctx, frozenset({"run_in_executor"})):
        return
    executor = node.args[0] if node.args else None
    if executor is None:
        keyword = _keyword(node, "executor")
        executor = keyword.value if keyword is not None else None
    if isinstance(executor, ast.Constant) and executor.value is None:
        ctx.report(node)


# -- PBK112, PBK113: what happens inside a TaskGroup or timeout block -------


class _OpenBlocks:
    """Per function, the ``async with`` blocks of interest that are open."""

    def __init__(self) -> None:
        self.open: dict[ast.AST | None, list[tuple[ast.AsyncWith, str]]] = {}

    def push(self, function: ast.AST | None, node: ast.AsyncWith, label: str) -> None:
        self.open.setdefault(function, []).append((node, label))

    def pop(self, function: ast.AST | None, node: ast.AsyncWith) -> None:
        stack = self.open.get(function)
        if stack and stack[-1][0] is node:
            stack.pop()

    def innermost(self, function: ast.AST | None) -> tuple[ast.AsyncWith, str] | None:
        stack = self.open.get(function)
        return stack[-1] if stack else None


@rule("PBK112", needs_text=("async",), calls=last_names(TASK_FACTORIES) | {"create_task"})
class TaskEscapesTaskGroup(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.blocks = _OpenBlocks()

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and self.model.call_name(call) in TASK_GROUPS:
                target = item.optional_vars
                self.blocks.push(self.model.function, node, target.id if isinstance(target, ast.Name) else "tg")

    def leave_AsyncWith(self, node: ast.AsyncWith) -> None:
        self.blocks.pop(self.model.function, node)

    def visit_Call(self, node: ast.Call) -> None:
        block = self.blocks.innermost(self.model.function)
        if block is None:
            return
        factory = _task_call(node, self.ctx)
        if factory:
            self.report(node, call=factory, tg=block[1])


@rule("PBK113", needs_text=("async",))
class YieldInCancelScope(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.blocks = _OpenBlocks()
        # (function, yield node, scope label), decided in finish()
        self.candidates: list[tuple[ast.AST, ast.AST, str]] = []

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call):
                label = CANCEL_SCOPES.get(self.model.call_name(call) or "")
                if label:
                    self.blocks.push(self.model.function, node, label)

    def leave_AsyncWith(self, node: ast.AsyncWith) -> None:
        self.blocks.pop(self.model.function, node)

    def visit_Yield(self, node: ast.Yield) -> None:
        function = self.model.function
        if not isinstance(function, ast.AsyncFunctionDef):
            return
        block = self.blocks.innermost(function)
        if block is None or self._single_yield_context(function):
            return
        self.candidates.append((function, node, block[1]))

    def _single_yield_context(self, function: ast.AsyncFunctionDef) -> bool:
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if self.model.qualname(target) in SINGLE_YIELD_DECORATORS:
                return True
        return False

    def finish(self) -> None:
        fastapi = self.model.fastapi
        for function, node, label in self.candidates:
            if fastapi.is_dependency(function) or fastapi.is_lifespan(function):
                continue  # FastAPI runs its single yield as a context
            self.report(node, scope=label)


# -- PBK114: semaphore per call ---------------------------------------------


class _Semaphore:
    __slots__ = ("node", "acquired", "escaped")

    def __init__(self, node: ast.Call) -> None:
        self.node = node
        self.acquired = False
        self.escaped = False


@rule("PBK114", needs_text=("async",), needs_text_too={"asyncio": ("Semaphore",)}, calls=last_names(SPAWNERS) | SPAWNING_METHODS | {"acquire", "release", "locked"})
class SemaphorePerCall(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        # function -> {name: semaphore bound to it in that function}
        self.semaphores: dict[ast.AST, dict[str, _Semaphore]] = {}
        # function -> semaphores created right in `async with Semaphore(...)`
        self.entered: dict[ast.AST, list[ast.Call]] = {}
        self.spawning: set[ast.AST] = set()
        # ids of Name nodes that only acquire/release a tracked semaphore
        self.plain_uses: set[int] = set()

    def _is_semaphore(self, value: ast.expr | None) -> bool:
        return isinstance(value, ast.Call) and self.model.call_name(value) in SEMAPHORES

    def _track(self, target: ast.expr, value: ast.expr | None) -> None:
        function = self.model.function
        if function is None or not isinstance(target, ast.Name):
            return
        names = self.semaphores.setdefault(function, {})
        if self._is_semaphore(value):
            names[target.id] = _Semaphore(value)  # type: ignore[arg-type]
        else:
            names.pop(target.id, None)  # rebound to something else

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1:
            self._track(node.targets[0], node.value)
        elif any(self._is_semaphore(node.value) for _ in node.targets):
            for target in node.targets:  # `a = b = Semaphore()`: shared under two names
                self._track(target, None)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._track(node.target, node.value)

    def _own(self, expr: ast.expr) -> _Semaphore | None:
        if isinstance(expr, ast.Name) and self.model.function is not None:
            return self.semaphores.get(self.model.function, {}).get(expr.id)
        return None

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        function = self.model.function
        for item in node.items:
            expr = item.context_expr
            if self._is_semaphore(expr) and function is not None:
                self.entered.setdefault(function, []).append(expr)  # type: ignore[arg-type]
                continue
            semaphore = self._own(expr)
            if semaphore is not None:
                semaphore.acquired = True
                self.plain_uses.add(id(expr))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        function = self.model.function
        if isinstance(func, ast.Attribute):
            semaphore = self._own(func.value)
            if semaphore is not None and func.attr in ("acquire", "release", "locked"):
                semaphore.acquired |= func.attr == "acquire"
                self.plain_uses.add(id(func.value))
            if func.attr in SPAWNING_METHODS and function is not None:
                self.spawning.add(function)
        if function is not None and self.model.call_name(node) in SPAWNERS:
            self.spawning.add(function)

    def visit_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load) or id(node) in self.plain_uses:
            return
        scope = self.model.scope
        while scope is not None:
            if scope.kind in (FUNCTION, LAMBDA):
                semaphore = self.semaphores.get(scope.node, {}).get(node.id)
                if semaphore is not None:
                    semaphore.escaped = True  # passed, stored, returned, or used by a closure
                    return
                if node.id in scope.bindings:
                    return  # a different variable of the same name
            scope = scope.parent

    def leave_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        if node in self.spawning:
            return
        for semaphore in self.semaphores.get(node, {}).values():
            if semaphore.acquired and not semaphore.escaped:
                self.report(semaphore.node)
        for call in self.entered.get(node, []):
            self.report(call)


# -- PBK115: raise CancelledError -------------------------------------------


def _mentions_cancellation(test: ast.expr) -> bool:
    """The condition names a cancellation: ``if cancelled:``, ``if self.is_cancelled():``."""
    for node in ast.walk(test):  # a bounded peek at one condition
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name is not None and "cancel" in name.lower():
            return True
    return False


@rule("PBK115", needs_text=("async",), needs_text_too={"asyncio": ("CancelledError",)})
class RaiseCancelledError(Check):
    """Raising CancelledError to stop work; re-delivering a cancellation is fine.

    Re-delivery: the raise sits under an ``if`` whose condition names a
    cancellation (a flag set when a CancelledError was caught and cleanup ran
    first, or a cancel request from another channel), or in a ``finally``
    block that drains cleanup work before passing the cancellation on.
    """

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        # open `if` statements: (function, the if, it sits in a finally block);
        # their conditions are read only when a CancelledError is raised under them
        self.conditions: list[tuple[ast.AST | None, ast.If, bool]] = []
        self.in_finally: set[int] = set()

    def visit_Try(self, node: ast.Try) -> None:
        self.in_finally.update(id(stmt) for stmt in node.finalbody)

    visit_TryStar = visit_Try

    def visit_If(self, node: ast.If) -> None:
        self.conditions.append((self.model.function, node, id(node) in self.in_finally))

    def leave_If(self, node: ast.If) -> None:
        if self.conditions and self.conditions[-1][1] is node:
            self.conditions.pop()

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc
        if exc is None:
            return
        target = exc.func if isinstance(exc, ast.Call) else exc
        if self.model.qualname(target) not in ASYNCIO_CANCELLED or id(node) in self.in_finally:
            return
        function = self.model.function
        if any(in_finally or _mentions_cancellation(if_node.test) for owner, if_node, in_finally in self.conditions if owner is function):
            return  # re-delivered
        self.report(node)
