"""Receiver kinds: what a name (or ``self.attr``) holds, within one module.

A kind is a short string such as ``"asyncio.loop"`` or
``"sqlalchemy.AsyncSession"``. A name gets a kind when it is

* a parameter annotated with a known class (also inside ``Annotated[...]``,
  ``Optional[...]``/``X | None``, or through a module-level alias),
* bound from a known constructor or factory: ``x = F(...)``,
  ``x = await F(...)``, ``with F(...) as x`` / ``async with``,
* bound from a method of a receiver of a known kind whose result has a kind
  (``engine.connect()``, ``factory()``),
* ``self.attr`` assigned one of those in a class (visible in its methods).

The tables below are the whole knowledge; rule categories extend them.
"""

from __future__ import annotations

import ast

from .names import covering_texts, dotted_parts, last_name, texts_by_module

LOOP = "asyncio.loop"
# SQLAlchemy
ASYNC_SESSION = "sqlalchemy.AsyncSession"
SESSION = "sqlalchemy.Session"
ASYNC_ENGINE = "sqlalchemy.AsyncEngine"
ENGINE = "sqlalchemy.Engine"
ASYNC_CONNECTION = "sqlalchemy.AsyncConnection"
CONNECTION = "sqlalchemy.Connection"
ASYNC_SESSION_FACTORY = "sqlalchemy.async_sessionmaker"  # calling it gives an AsyncSession
SESSION_FACTORY = "sqlalchemy.sessionmaker"  # calling it gives a Session
ASYNC_SCOPED_SESSION = "sqlalchemy.async_scoped_session"  # a registry, shared on purpose
# HTTP clients, pools, other resources
AIOHTTP_SESSION = "aiohttp.ClientSession"
AIOHTTP_CONNECTOR = "aiohttp.TCPConnector"
HTTPX_ASYNC_CLIENT = "httpx.AsyncClient"
HTTPX_CLIENT = "httpx.Client"
REQUESTS_SESSION = "requests.Session"
HTTP_CONNECTION = "http.client.HTTPConnection"
ASYNCPG_POOL = "asyncpg.Pool"
ASYNCPG_CONNECTION = "asyncpg.Connection"
REDIS_ASYNC = "redis.asyncio.Redis"
REDIS_ASYNC_POOL = "redis.asyncio.ConnectionPool"
POPEN = "subprocess.Popen"
PATH = "pathlib.Path"
# FastAPI / Starlette application objects
FASTAPI_APP = "fastapi.FastAPI"
FASTAPI_ROUTER = "fastapi.APIRouter"
STARLETTE_APP = "starlette.Starlette"
STARLETTE_ROUTER = "starlette.Router"

# qualified name of a class -> kind of its instances (constructor call or annotation)
CLASS_KINDS: dict[str, str] = {
    "asyncio.AbstractEventLoop": LOOP,
    "asyncio.events.AbstractEventLoop": LOOP,
    "sqlalchemy.ext.asyncio.AsyncSession": ASYNC_SESSION,
    "sqlalchemy.ext.asyncio.session.AsyncSession": ASYNC_SESSION,
    "sqlmodel.ext.asyncio.session.AsyncSession": ASYNC_SESSION,
    "sqlalchemy.orm.Session": SESSION,
    "sqlalchemy.orm.session.Session": SESSION,
    "sqlmodel.Session": SESSION,
    "sqlmodel.orm.session.Session": SESSION,
    "sqlalchemy.ext.asyncio.AsyncEngine": ASYNC_ENGINE,
    "sqlalchemy.ext.asyncio.engine.AsyncEngine": ASYNC_ENGINE,
    "sqlalchemy.Engine": ENGINE,
    "sqlalchemy.engine.Engine": ENGINE,
    "sqlalchemy.engine.base.Engine": ENGINE,
    "sqlalchemy.ext.asyncio.AsyncConnection": ASYNC_CONNECTION,
    "sqlalchemy.ext.asyncio.engine.AsyncConnection": ASYNC_CONNECTION,
    "sqlalchemy.Connection": CONNECTION,
    "sqlalchemy.engine.Connection": CONNECTION,
    "sqlalchemy.engine.base.Connection": CONNECTION,
    "sqlalchemy.ext.asyncio.async_sessionmaker": ASYNC_SESSION_FACTORY,
    "sqlalchemy.ext.asyncio.session.async_sessionmaker": ASYNC_SESSION_FACTORY,
    "sqlalchemy.orm.sessionmaker": SESSION_FACTORY,
    "sqlalchemy.orm.session.sessionmaker": SESSION_FACTORY,
    "sqlalchemy.ext.asyncio.async_scoped_session": ASYNC_SCOPED_SESSION,
    "sqlalchemy.ext.asyncio.scoping.async_scoped_session": ASYNC_SCOPED_SESSION,
    "aiohttp.ClientSession": AIOHTTP_SESSION,
    "aiohttp.client.ClientSession": AIOHTTP_SESSION,
    "aiohttp.TCPConnector": AIOHTTP_CONNECTOR,
    "aiohttp.connector.TCPConnector": AIOHTTP_CONNECTOR,
    "httpx.AsyncClient": HTTPX_ASYNC_CLIENT,
    "httpx2.AsyncClient": HTTPX_ASYNC_CLIENT,  # the httpx fork keeps the API
    "httpx.Client": HTTPX_CLIENT,
    "requests.Session": REQUESTS_SESSION,
    "requests.session": REQUESTS_SESSION,
    "requests.sessions.Session": REQUESTS_SESSION,
    "http.client.HTTPConnection": HTTP_CONNECTION,
    "http.client.HTTPSConnection": HTTP_CONNECTION,
    "asyncpg.Pool": ASYNCPG_POOL,
    "asyncpg.pool.Pool": ASYNCPG_POOL,
    "asyncpg.Connection": ASYNCPG_CONNECTION,
    "asyncpg.connection.Connection": ASYNCPG_CONNECTION,
    "redis.asyncio.Redis": REDIS_ASYNC,
    "redis.asyncio.StrictRedis": REDIS_ASYNC,
    "redis.asyncio.client.Redis": REDIS_ASYNC,
    "redis.asyncio.ConnectionPool": REDIS_ASYNC_POOL,
    "redis.asyncio.connection.ConnectionPool": REDIS_ASYNC_POOL,
    "redis.asyncio.BlockingConnectionPool": REDIS_ASYNC_POOL,
    "redis.asyncio.connection.BlockingConnectionPool": REDIS_ASYNC_POOL,
    "subprocess.Popen": POPEN,
    "pathlib.Path": PATH,
    "pathlib.PosixPath": PATH,
    "pathlib.WindowsPath": PATH,
    "fastapi.FastAPI": FASTAPI_APP,
    "fastapi.applications.FastAPI": FASTAPI_APP,
    "fastapi.APIRouter": FASTAPI_ROUTER,
    "fastapi.routing.APIRouter": FASTAPI_ROUTER,
    "starlette.applications.Starlette": STARLETTE_APP,
    "starlette.routing.Router": STARLETTE_ROUTER,
}

# qualified name of a function -> kind of what it returns (or its awaited result)
FACTORY_KINDS: dict[str, str] = {
    "asyncio.get_running_loop": LOOP,
    "asyncio.get_event_loop": LOOP,
    "asyncio.new_event_loop": LOOP,
    "asyncio.events.get_running_loop": LOOP,
    "asyncio.events.get_event_loop": LOOP,
    "asyncio.events.new_event_loop": LOOP,
    "sqlalchemy.ext.asyncio.create_async_engine": ASYNC_ENGINE,
    "sqlalchemy.ext.asyncio.engine.create_async_engine": ASYNC_ENGINE,
    "sqlalchemy.create_engine": ENGINE,
    "sqlalchemy.engine.create_engine": ENGINE,
    "sqlmodel.create_engine": ENGINE,
    "asyncpg.create_pool": ASYNCPG_POOL,
    "asyncpg.pool.create_pool": ASYNCPG_POOL,
    "asyncpg.connect": ASYNCPG_CONNECTION,
    "asyncpg.connection.connect": ASYNCPG_CONNECTION,
    "redis.asyncio.from_url": REDIS_ASYNC,
    "redis.asyncio.Redis.from_url": REDIS_ASYNC,
    "redis.asyncio.client.Redis.from_url": REDIS_ASYNC,
    "redis.asyncio.utils.from_url": REDIS_ASYNC,
    "redis.asyncio.Redis.from_pool": REDIS_ASYNC,
    "redis.asyncio.client.Redis.from_pool": REDIS_ASYNC,
    "redis.asyncio.ConnectionPool.from_url": REDIS_ASYNC_POOL,
    "requests.session": REQUESTS_SESSION,
}

# (kind of receiver, method or attribute name) -> kind of the result. The key
# (kind, None) means "calling the receiver itself", as for a session factory.
METHOD_KINDS: dict[tuple[str, str | None], str] = {
    (ASYNC_ENGINE, "connect"): ASYNC_CONNECTION,
    (ASYNC_ENGINE, "begin"): ASYNC_CONNECTION,
    (ENGINE, "connect"): CONNECTION,
    (ENGINE, "begin"): CONNECTION,
    (ASYNC_SESSION_FACTORY, None): ASYNC_SESSION,
    (ASYNC_SESSION_FACTORY, "begin"): ASYNC_SESSION,
    (SESSION_FACTORY, None): SESSION,
    (SESSION_FACTORY, "begin"): SESSION,
    (ASYNC_SCOPED_SESSION, None): ASYNC_SESSION,
    (ASYNCPG_POOL, "acquire"): ASYNCPG_CONNECTION,
    (PATH, "joinpath"): PATH,
    (PATH, "resolve"): PATH,
    (PATH, "absolute"): PATH,
    (PATH, "with_suffix"): PATH,
    (PATH, "with_name"): PATH,
    (PATH, "expanduser"): PATH,
    (PATH, "parent"): PATH,
}

# An instance of a project class whose method is configured as a session
# factory (`session-factories = ["app.db.Database.session"]`) has the kind
# PROVIDER_PREFIX + "app.db.Database"; calling that method gives an AsyncSession.
PROVIDER_PREFIX = "sqlalchemy.provider:"

# kinds whose values are session factories (PBK303: passing one to several tasks is fine)
SESSION_FACTORY_KINDS = frozenset({ASYNC_SESSION_FACTORY, SESSION_FACTORY, ASYNC_SCOPED_SESSION})
ASYNC_SESSION_KINDS = frozenset({ASYNC_SESSION})


def _sessionmaker_kind(call: ast.Call, model) -> str:  # noqa: ANN001
    """``sessionmaker(class_=AsyncSession)`` makes async sessions."""
    for keyword in call.keywords:
        if keyword.arg == "class_" and CLASS_KINDS.get(model.qualname(keyword.value) or "") == ASYNC_SESSION:
            return ASYNC_SESSION_FACTORY
    return SESSION_FACTORY


# calls whose result kind depends on their arguments
CALL_RESOLVERS = {
    "sqlalchemy.orm.sessionmaker": _sessionmaker_kind,
    "sqlalchemy.orm.session.sessionmaker": _sessionmaker_kind,
}
# the kinds each resolver can give
RESOLVED_KINDS = {_sessionmaker_kind: frozenset({ASYNC_SESSION_FACTORY, SESSION_FACTORY})}


def _kind_qualnames(kinds: frozenset[str] | set[str]) -> list[str]:
    """The classes, factories and resolved calls that give a value of one of
    *kinds*, directly or through the methods of what they give
    (``create_async_engine(...).connect()``)."""
    wanted = set(kinds)
    grown = True
    while grown:
        grown = False
        for (receiver, _), result in METHOD_KINDS.items():
            if result in wanted and receiver not in wanted:
                wanted.add(receiver)
                grown = True
    qualnames = [q for table in (CLASS_KINDS, FACTORY_KINDS) for q, kind in table.items() if kind in wanted]
    qualnames += [q for q, resolver in CALL_RESOLVERS.items() if not RESOLVED_KINDS[resolver].isdisjoint(wanted)]
    return qualnames


def kind_texts(kinds: frozenset[str] | set[str]) -> tuple[str, ...]:
    """Strings one of which any file holding a value of one of *kinds* contains
    (besides configured session factories): the last names of what gives such
    a value (see _kind_qualnames)."""
    return covering_texts({q.rpartition(".")[2] for q in _kind_qualnames(kinds)})


def kind_texts_by_module(kinds: frozenset[str] | set[str]) -> dict[str, tuple[str, ...]]:
    """kind_texts() by the module they belong to: a value of one of *kinds*
    needs that module imported and one of its names in the file."""
    return texts_by_module(_kind_qualnames(kinds))

_WRAPPERS = ("typing.Annotated", "typing_extensions.Annotated", "typing.Optional", "typing_extensions.Optional")


MAX_DEPTH = 64
_MAY_HAVE_KIND = frozenset({ast.Await, ast.Name, ast.Attribute, ast.BinOp, ast.Call})

# The last part of every name whose call or annotation can give a kind: a
# call ``x.f()`` or annotation ``m.C`` whose last name is not among these
# (nor among the configured session factories) has no kind, without any
# lookup. Most calls and annotations are rejected here.
_KIND_NAMES = frozenset(
    {q.rpartition(".")[2] for q in (*CLASS_KINDS, *FACTORY_KINDS, *CALL_RESOLVERS)}
    | {attr for _, attr in METHOD_KINDS if attr is not None}
)
# generic wrappers annotation_kind() looks through, by the names users write
_WRAPPER_NAMES = frozenset({"Annotated", "Optional"})


class ReceiverKinds:
    """Per-file state of the receiver layer, owned by the semantic model."""

    def __init__(self, model) -> None:  # noqa: ANN001 - model imports us
        self.model = model
        self._depth = 0  # nesting of kind_of() calls (see MAX_DEPTH)
        # id(name node) -> kind, set when the value is seen, applied when the
        # walker binds the target name (Python evaluates the value first)
        self.pending: dict[int, str] = {}
        # class node -> {attr: kind}
        self.class_attrs: dict[ast.AST, dict[str, str]] = {}
        # module-level aliases: name -> kind (SessionDep = Annotated[AsyncSession, ...])
        self.aliases: dict[str, str] = {}
        # classes named by configured factories of the form "pkg.mod.Class.method"
        self.provider_classes = frozenset(name.rpartition(".")[0] for name in model.session_factories)
        configured = {part for name in model.session_factories for part in name.rsplit(".", 2)[1:]}
        self.kind_names = _KIND_NAMES | configured if configured else _KIND_NAMES

    def _may_name_kind(self, name: str) -> bool:
        """Whether a name whose last part is *name* can name a class or factory with a kind
        (as imported: ``from m import C as D`` makes ``D`` a ``C``)."""
        if name in self.kind_names:
            return True
        original = self.model.import_aliases.get(name)
        return original is not None and original in self.kind_names

    def may_name_kind_or_alias(self, name: str) -> bool:
        """Whether the annotation ``name`` may give a kind (see _may_annotate_kind)."""
        return name in self.aliases or self._may_name_kind(name)

    # -- expressions ----------------------------------------------------
    def kind_of(self, expr: ast.expr | None) -> str | None:
        """The kind of value *expr* evaluates to, if known.

        Method chains nest one level per call (``a.b().c()...``); beyond
        :data:`MAX_DEPTH` levels the kind is unknown, so generated code with
        thousands of chained calls cannot exhaust the recursion limit.
        """
        if self._depth >= MAX_DEPTH:
            return None
        self._depth += 1
        try:
            return self._kind_of(expr)
        finally:
            self._depth -= 1

    def _kind_of(self, expr: ast.expr | None) -> str | None:
        if expr is None:
            return None
        if isinstance(expr, ast.Await):
            expr = expr.value
        if isinstance(expr, ast.Name):
            kind = self.model.kind_of_name(expr.id)
            if kind is None and self.model.session_factories:
                kind = self.model.session_factory_kind(self.model.qualname(expr))
            return kind
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id == "self":
                return self.self_attr_kind(expr.attr)
            if expr.attr == "parent":
                return PATH if self.kind_of(expr.value) == PATH else None
            if not self.model.session_factories:
                return None  # below, only configured factories give a kind
            qualname = self.model.qualname(expr)
            kind = self.model.session_factory_kind(qualname)
            if kind is None and isinstance(expr.value, (ast.Name, ast.Attribute)):
                owner = self.kind_of(expr.value)
                if owner is not None and owner.startswith(PROVIDER_PREFIX):
                    if f"{owner[len(PROVIDER_PREFIX):]}.{expr.attr}" in self.model.session_factories:
                        return ASYNC_SESSION_FACTORY
            return kind
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            return PATH if self.kind_of(expr.left) == PATH else None
        if isinstance(expr, ast.Call):
            return self.call_result_kind(expr)
        return None

    def call_result_kind(self, call: ast.Call) -> str | None:
        func = call.func
        cls = func.__class__
        if cls is ast.Attribute:
            if func.attr not in self.kind_names and not _is_self(func.value):
                return None  # neither a known callable nor a known method (self.x() may hold a factory)
        elif cls is ast.Name:
            if not self._may_name_kind(func.id) and self.model.kind_of_name(func.id) is None:
                return None  # no known callable, and not a name holding a factory
        qualname = self.model.qualname(func)
        if qualname is not None:
            resolver = CALL_RESOLVERS.get(qualname)
            if resolver is not None:
                return resolver(call, self.model)
            kind = FACTORY_KINDS.get(qualname) or CLASS_KINDS.get(qualname)
            if kind:
                return kind
            if qualname in self.model.session_factories:
                return ASYNC_SESSION
            kind = self.provider_kind(qualname)
            if kind:
                return kind
        if isinstance(func, ast.Attribute):
            receiver = self.kind_of(func.value)
            if receiver is not None:
                if receiver.startswith(PROVIDER_PREFIX):
                    # `db.session_context()` where `db` is an instance of a class
                    # whose method the configuration names as a session factory
                    if f"{receiver[len(PROVIDER_PREFIX):]}.{func.attr}" in self.model.session_factories:
                        return ASYNC_SESSION
                    return None
                return METHOD_KINDS.get((receiver, func.attr))
            if isinstance(func.value, ast.Name) and func.value.id == "self":
                # `self.factory()`: calling an attribute that holds a factory
                callee = self.self_attr_kind(func.attr)
                return self._called_kind(callee) if callee is not None else None
        elif isinstance(func, ast.Name):
            receiver = self.model.kind_of_name(func.id)
            if receiver is not None:
                return self._called_kind(receiver)
        return None

    def _called_kind(self, kind: str) -> str | None:
        """What calling a value of *kind* gives (a factory: a session)."""
        if kind.startswith(PROVIDER_PREFIX):
            # an instance whose class has a configured `__call__`
            if f"{kind[len(PROVIDER_PREFIX):]}.__call__" in self.model.session_factories:
                return ASYNC_SESSION
            return None
        return METHOD_KINDS.get((kind, None))

    def annotation_kind(self, annotation: ast.expr | None) -> str | None:
        """Kind named by a type annotation, through Annotated/Optional/aliases/unions."""
        while annotation is not None:
            if not self._may_annotate_kind(annotation):
                return None
            if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
                annotation = self.model.unquote(annotation)
                continue
            if isinstance(annotation, ast.Subscript):
                generic = self.model.qualname(annotation.value)
                if generic in CLASS_KINDS:
                    return CLASS_KINDS[generic]  # async_sessionmaker[AsyncSession]
                if generic not in _WRAPPERS:
                    if isinstance(annotation.value, ast.Name) and annotation.value.id == "Optional":
                        pass  # typing imported under another route; treat as a wrapper
                    else:
                        return None
                inner = annotation.slice
                annotation = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
                continue
            if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
                left, right = annotation.left, annotation.right
                if isinstance(right, ast.Constant) and right.value is None:
                    annotation = left
                elif isinstance(left, ast.Constant) and left.value is None:
                    annotation = right
                else:
                    return None
                continue
            if isinstance(annotation, ast.Name) and annotation.id in self.aliases:
                return self.aliases[annotation.id]
            qualname = self.model.qualname(annotation)
            if not qualname:
                return None
            return CLASS_KINDS.get(qualname) or self.provider_kind(qualname)
        return None

    def _may_annotate_kind(self, annotation: ast.expr) -> bool:
        """False when *annotation* (one step of annotation_kind) surely names no kind."""
        cls = annotation.__class__
        if cls is ast.Subscript:
            name = last_name(annotation.value)  # type: ignore[attr-defined]
            if name is None:
                return False
            original = self.model.import_aliases.get(name, name)
            return name in _WRAPPER_NAMES or original in _WRAPPER_NAMES or self._may_name_kind(name)
        if cls is ast.Name:
            return self.may_name_kind_or_alias(annotation.id)  # type: ignore[attr-defined]
        if cls is ast.Attribute:
            return annotation.attr in self.kind_names  # type: ignore[attr-defined]
        return True  # strings, unions: annotation_kind looks at them itself

    def provider_kind(self, qualname: str) -> str | None:
        """Instances of a class one of whose methods is a configured session factory."""
        if qualname in self.provider_classes:
            return PROVIDER_PREFIX + qualname
        return None

    # -- self attributes --------------------------------------------------
    def enclosing_class(self) -> ast.AST | None:
        scope = self.model.scope
        while scope is not None:
            if scope.kind == "class":
                return scope.node
            scope = scope.parent
        return None

    def self_attr_kind(self, attr: str) -> str | None:
        cls = self.enclosing_class()
        if cls is None:
            return None
        return self.class_attrs.get(cls, {}).get(attr)

    def set_self_attr(self, attr: str, kind: str | None) -> None:
        cls = self.enclosing_class()
        if cls is None:
            return
        attrs = self.class_attrs.setdefault(cls, {})
        if kind is None:
            attrs.pop(attr, None)
        else:
            attrs[attr] = kind

    # -- binding --------------------------------------------------------
    def assign(self, targets: list[ast.expr], value: ast.expr | None, annotation: ast.expr | None = None) -> None:
        if isinstance(value, ast.Constant) and value.value is None and annotation is None:
            # `self.client = None` in a close() method does not change what it holds
            targets = [t for t in targets if isinstance(t, ast.Name)]
        # only these expressions can evaluate to a value of known kind (see _kind_of)
        cls = value.__class__
        if cls is ast.Call:  # the commonest value, straight to its layer
            kind = self.call_result_kind(value)  # type: ignore[arg-type]
        else:
            kind = self.kind_of(value) if cls in _MAY_HAVE_KIND else None
        if kind is None and annotation is not None:
            kind = self.annotation_kind(annotation)
        for target in targets:
            if kind is not None or target.__class__ is not ast.Name:  # a plain name without a kind: nothing to record
                self.bind_target(target, kind)
        if cls is ast.Subscript and self.model.scope.kind == "module" and len(targets) == 1 and isinstance(targets[0], ast.Name):
            alias = self.annotation_kind(value)
            if alias is not None:
                self.aliases[targets[0].id] = alias

    def bind_target(self, target: ast.expr, kind: str | None) -> None:
        if isinstance(target, ast.Name):
            if kind is not None:
                self.pending[id(target)] = kind
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            self.set_self_attr(target.attr, kind)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind_target(element, None)

    def with_items(self, items: list[ast.withitem]) -> None:
        for item in items:
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, self.kind_of(item.context_expr))


def _is_self(expr: ast.expr) -> bool:
    return expr.__class__ is ast.Name and expr.id == "self"  # type: ignore[attr-defined]


def attribute_chain(expr: ast.expr) -> str | None:
    """``self._task`` -> "self._task"; any dotted name as text."""
    parts = dotted_parts(expr)
    return ".".join(parts) if parts else None
