"""The semantic model: what the checks know about the code around a node.

The engine builds it during its single walk over the tree. Layers of the
model (names, scopes, and the later FastAPI roles and receiver kinds) update
it as nodes go by; checks only read it.
"""

from __future__ import annotations

import ast

from .names import BUILTIN_NAMES, bind_import, bind_import_from, dotted_parts
from .fastapi import FastAPIRoles
from .receivers import ASYNC_SESSION_FACTORY, ReceiverKinds
from .scopes import CLASS, MODULE, Scope, parameter_names, scope_kind


class SemanticModel:
    def __init__(self, tree: ast.Module, session_factories: frozenset[str] = frozenset()) -> None:
        self.tree = tree
        # qualified names the user configured as session factories defined in
        # other modules: calling one gives an AsyncSession
        self.session_factories = session_factories
        self.module_scope = Scope(MODULE, tree, None)
        self.scope = self.module_scope
        # every top-level module name imported anywhere in the file
        self.imported_modules: set[str] = set()
        self.receivers = ReceiverKinds(self)
        self.fastapi = FastAPIRoles(self)

    # -- scopes ---------------------------------------------------------
    @property
    def in_async(self) -> bool:
        """True when the innermost enclosing function is ``async def``."""
        return self.scope.is_async

    @property
    def function(self) -> ast.AST | None:
        """The innermost enclosing def, async def or lambda, if any."""
        return self.scope.function

    def push_scope(self, node: ast.AST) -> Scope:
        scope = Scope(scope_kind(node), node, self.scope)
        self.scope = scope
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for name in parameter_names(node.args):
                scope.bindings[name] = None
            if not isinstance(node, ast.Lambda):
                self._annotated_parameters(node.args, scope)
        return scope

    def _annotated_parameters(self, args: ast.arguments, scope: Scope) -> None:
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            if arg.annotation is not None:
                kind = self.receivers.annotation_kind(arg.annotation)
                if kind is not None:
                    scope.kinds[arg.arg] = kind

    def pop_scope(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    # -- bindings -------------------------------------------------------
    def bind(self, name: str, qualname: str | None = None, node: ast.AST | None = None) -> None:
        scope = self.scope
        if name in scope.globals:
            scope = self.module_scope
        scope.bindings[name] = qualname
        kind = self.receivers.pending.pop(id(node), None) if node is not None else None
        if kind is None:
            scope.kinds.pop(name, None)
        else:
            scope.kinds[name] = kind

    def kind_of_name(self, name: str) -> str | None:
        """The receiver kind of the value *name* holds here, if known."""
        scope: Scope | None = self.scope
        first = True
        while scope is not None:
            if first or scope.kind != CLASS:
                if name in scope.bindings or name in scope.kinds:
                    return scope.kinds.get(name)
            first = False
            scope = scope.parent
        return None

    def session_factory_kind(self, qualname: str | None) -> str | None:
        """A configured factory object (not its call) is a session factory."""
        if qualname is not None and qualname in self.session_factories:
            return ASYNC_SESSION_FACTORY
        return None

    def kind_of(self, expr: ast.expr | None) -> str | None:
        """The receiver kind of what *expr* evaluates to, if known."""
        return self.receivers.kind_of(expr)

    def record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        target = self.scope.bindings
        if isinstance(node, ast.Import):
            bind_import(target, node)
            self.imported_modules.update(a.name.partition(".")[0] for a in node.names)
        else:
            bind_import_from(target, node)
            if node.module and not node.level:
                self.imported_modules.add(node.module.partition(".")[0])

    def declare_global(self, names: list[str]) -> None:
        self.scope.globals.update(names)

    def lookup(self, name: str) -> tuple[bool, str | None]:
        """(found, qualified name) for *name* as seen from the current scope."""
        scope: Scope | None = self.scope
        first = True
        while scope is not None:
            # class bodies are not visible from the functions nested in them
            if first or scope.kind != CLASS:
                if name in scope.bindings:
                    return True, scope.bindings[name]
            first = False
            scope = scope.parent
        return False, None

    def qualname(self, expr: ast.expr) -> str | None:
        """The qualified name *expr* refers to, through imports; None if unknown.

        Builtins resolve as ``builtins.open``; a builtin name rebound in
        the module does not.
        """
        parts = dotted_parts(expr)
        if parts is None:
            return None
        found, base = self.lookup(parts[0])
        if not found:
            if parts[0] in BUILTIN_NAMES:
                base = f"builtins.{parts[0]}"
            else:
                return None
        if base is None:
            return None
        return ".".join([base, *parts[1:]]) if len(parts) > 1 else base

    def call_name(self, call: ast.Call) -> str | None:
        return self.qualname(call.func)

    def imports(self, module: str) -> bool:
        """Whether the file imports *module* (top-level name) anywhere so far."""
        return module in self.imported_modules
