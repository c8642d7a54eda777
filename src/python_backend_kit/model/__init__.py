"""The semantic model: what the checks know about the code around a node.

The engine builds it during its single walk over the tree. Layers of the
model (names, scopes, and the later FastAPI roles and receiver kinds) update
it as nodes go by; checks only read it.
"""

from __future__ import annotations

import ast
import weakref
from typing import Callable

from .names import BUILTIN_NAMES, MAX_DOTTED_PARTS, bind_import, bind_import_from, parse_annotation
from .fastapi import FastAPIRoles
from .receivers import ASYNC_SESSION_FACTORY, ReceiverKinds
from .scopes import CLASS, MODULE, Scope, parameter_names, scope_kind

_Name, _Attribute = ast.Name, ast.Attribute
_MISSING = object()


class SemanticModel:
    def __init__(self, tree: ast.Module, session_factories: frozenset[str] = frozenset()) -> None:
        self.tree = tree
        # qualified names the user configured as session factories defined in
        # other modules: calling one gives an AsyncSession
        self.session_factories = session_factories
        self.module_scope = Scope(MODULE, tree, None)
        self.scope = self.module_scope
        # plain attributes, not properties: checks read them at nearly every
        # node, and set_scope() keeps them in step with the current scope
        #: True when the innermost enclosing function is ``async def``.
        self.in_async: bool = False
        #: The innermost enclosing def, async def or lambda, if any.
        self.function: ast.AST | None = None
        # every top-level module name imported anywhere in the file
        self.imported_modules: set[str] = set()
        # `from m import f as g`: g -> f, for cheap looks at a name before
        # resolving it (the engine hands calls of g to checks watching f)
        self.import_aliases: dict[str, str] = {}
        # the layers see the model through a weak proxy: no reference cycle
        # keeps a checked file's model and tree alive after the walk
        me = weakref.proxy(self)
        self.receivers = ReceiverKinds(me)
        self.fastapi = FastAPIRoles(me)
        # qualname() answers by node, valid until the next binding or scope
        # change (every check on a Call asks for the same callee)
        self._qualnames: dict[ast.AST, str | None] = {}
        # string annotations parsed so far: the same few recur in a module
        self._annotations: dict[str, ast.expr | None] = {}

    def unquote(self, annotation: ast.expr | None) -> ast.expr | None:
        """A string annotation (``x: "AsyncSession"``) as the expression it holds,
        None when it does not parse; any other annotation as it is. The
        expression is shared by every use of the same string: only read it."""
        if annotation.__class__ is not ast.Constant or not isinstance(annotation.value, str):  # type: ignore[union-attr]
            return annotation
        text = annotation.value  # type: ignore[union-attr]
        parsed = self._annotations.get(text, _MISSING)
        if parsed is _MISSING:
            parsed = self._annotations[text] = parse_annotation(text)
        return parsed  # type: ignore[return-value]

    #: the callee names (last, as imported) of the calls the layers learn from
    CALL_NAMES = FastAPIRoles.CALL_NAMES

    def call_updates(self) -> dict[str, Callable[[ast.Call], None]]:
        """The layers' updates for calls, by the callee's last name (as imported):
        the walk hands a call only to the layers that want its name."""
        update = self.fastapi.visit_call
        return {name: update for name in self.CALL_NAMES}

    # -- scopes ---------------------------------------------------------
    def set_scope(self, scope: Scope) -> None:
        """Make *scope* the current one (``in_async`` and ``function`` follow)."""
        self.scope = scope
        self.in_async = scope.is_async
        self.function = scope.function
        if self._qualnames:
            self._qualnames = {}

    def push_scope(self, node: ast.AST) -> Scope:
        scope = Scope(scope_kind(node), node, self.scope)
        self.set_scope(scope)
        cls = node.__class__
        if cls is ast.FunctionDef or cls is ast.AsyncFunctionDef or cls is ast.Lambda:
            args = node.args  # type: ignore[attr-defined]
            bindings = scope.bindings
            for name in parameter_names(args):
                bindings[name] = None
            if cls is not ast.Lambda:
                try:
                    self._annotated_parameters(args, scope)
                except RecursionError:  # absurdly nested annotations: kinds unknown
                    pass
        return scope

    def _annotated_parameters(self, args: ast.arguments, scope: Scope) -> None:
        """Kinds of the parameters from their annotations, once every parameter is bound."""
        receivers = self.receivers
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            annotation = arg.annotation
            if annotation is None:
                continue
            if annotation.__class__ is _Name and not receivers.may_name_kind_or_alias(annotation.id):  # type: ignore[attr-defined]
                continue  # `x: int`, the commonest annotation, rejected without a call chain
            kind = receivers.annotation_kind(annotation)
            if kind is not None:
                scope.kinds[arg.arg] = kind

    def pop_scope(self) -> None:
        assert self.scope.parent is not None
        self.set_scope(self.scope.parent)

    # -- bindings -------------------------------------------------------
    def bind(self, name: str, qualname: str | None = None, node: ast.AST | None = None) -> None:
        scope = self.scope
        if scope.globals and name in scope.globals:
            scope = self.module_scope
        scope.bindings[name] = qualname
        if self._qualnames:
            self._qualnames = {}
        pending = self.receivers.pending
        kind = pending.pop(id(node), None) if node is not None and pending else None
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
        try:
            return self.receivers.kind_of(expr)
        except RecursionError:  # a chain thousands of levels deep: unknown
            return None

    def record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if self._qualnames:
            self._qualnames = {}
        target = self.scope.bindings
        if isinstance(node, ast.Import):
            bind_import(target, node)
            self.imported_modules.update(a.name.partition(".")[0] for a in node.names)
        else:
            bind_import_from(target, node)
            for alias in node.names:
                if alias.asname and alias.asname != alias.name:
                    self.import_aliases[alias.asname] = alias.name
            if node.module and not node.level:
                self.imported_modules.add(node.module.partition(".")[0])

    def declare_global(self, names: list[str]) -> None:
        self.scope.globals.update(names)
        if self._qualnames:
            self._qualnames = {}

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
        cache = self._qualnames
        try:
            result = cache.get(expr, _MISSING)
        except TypeError:  # not a node (unhashable): nothing to resolve
            return None
        if result is _MISSING:
            result = cache[expr] = self._qualname(expr)
        return result  # type: ignore[return-value]

    def _qualname(self, expr: ast.expr) -> str | None:
        # dotted_parts() and lookup(), inlined: this runs for most calls
        cls = expr.__class__
        attrs: list[str] | None = None
        if cls is not _Name:
            if cls is not _Attribute:
                return None
            attrs = []
            while cls is _Attribute:
                if len(attrs) == MAX_DOTTED_PARTS:
                    return None  # no real name is that long; a bound keeps chains linear
                attrs.append(expr.attr)  # type: ignore[attr-defined]
                expr = expr.value  # type: ignore[attr-defined]
                cls = expr.__class__
            if cls is not _Name:
                return None
        name = expr.id  # type: ignore[attr-defined]
        scope: Scope | None = self.scope
        bindings = scope.bindings  # type: ignore[union-attr]
        if name in bindings:
            base = bindings[name]
        else:
            scope = scope.parent  # type: ignore[union-attr]
            while scope is not None:
                # class bodies are not visible from the functions nested in them
                if scope.kind != CLASS and name in scope.bindings:
                    base = scope.bindings[name]
                    break
                scope = scope.parent
            else:
                if name not in BUILTIN_NAMES:
                    return None
                base = "builtins." + name
        if base is None:
            return None
        if attrs:
            attrs.append(base)
            attrs.reverse()
            return ".".join(attrs)
        return base

    def call_name(self, call: ast.Call) -> str | None:
        func = call.func
        result = self._qualnames.get(func, _MISSING)
        if result is _MISSING:
            return self.qualname(func)
        return result  # type: ignore[return-value]

    def imports(self, module: str) -> bool:
        """Whether the file imports *module* (top-level name) anywhere so far."""
        return module in self.imported_modules
