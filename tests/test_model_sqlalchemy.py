"""Receiver kinds for SQLAlchemy: sessions, engines, connections, factories.

Each source calls ``probe(<expr>)``; the test compares the kind the model
gives each probed expression, in order.
"""

from __future__ import annotations

import ast
import textwrap

from python_backend_kit.checks.registry import Check, RuleContext, _collect_handlers
from python_backend_kit.engine import FileCheck, Settings

S = "sqlalchemy.AsyncSession"
SYNC = "sqlalchemy.Session"
F = "sqlalchemy.async_sessionmaker"
SYNC_F = "sqlalchemy.sessionmaker"
SCOPED = "sqlalchemy.async_scoped_session"
E = "sqlalchemy.AsyncEngine"
SYNC_E = "sqlalchemy.Engine"
C = "sqlalchemy.AsyncConnection"
SYNC_C = "sqlalchemy.Connection"


class KindProbe(Check):
    code = "PBK997"

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.seen: list = []

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "probe":
            self.seen.append(self.model.kind_of(node.args[0]))


def kinds(source: str, **options) -> list:
    tree = ast.parse(textwrap.dedent(source))
    file = FileCheck(tree, Settings(codes=frozenset(), options=options))
    KindProbe.handlers = _collect_handlers(KindProbe)
    check = KindProbe(RuleContext("PBK997", file))
    file.attach(check)
    file.run()
    return check.seen


def test_annotations_including_annotated_optional_and_aliases():
    assert kinds(
        """
        from typing import Annotated, Optional, TypeAlias
        import typing as t
        from fastapi import Depends
        from sqlalchemy.ext.asyncio import AsyncSession as AS, AsyncEngine, AsyncConnection
        from sqlalchemy.orm import Session
        from sqlmodel.ext.asyncio.session import AsyncSession as ModelSession

        SessionDep = Annotated[AS, Depends(get_db)]
        DbDep: TypeAlias = t.Annotated["AS", Depends(get_db)]
        NotASession = Annotated[int, Depends(get_db)]

        async def f(a: AS, b: Annotated[AS, Depends(get_db)], c: SessionDep, d: DbDep,
                    e: Optional[AS], g: "AS | None", h: ModelSession, i: Session,
                    j: AsyncEngine, k: AsyncConnection, n: NotASession, plain):
            probe(a); probe(b); probe(c); probe(d); probe(e); probe(g); probe(h); probe(i)
            probe(j); probe(k); probe(n); probe(plain)
        """
    ) == [S, S, S, S, S, S, S, SYNC, E, C, None, None]


def test_factory_results_are_sessions_and_factories_are_not():
    assert kinds(
        """
        from asyncio import current_task
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import (
            AsyncSession, async_scoped_session, async_sessionmaker, create_async_engine,
        )
        from sqlalchemy.orm import sessionmaker

        engine = create_async_engine("sqlite+aiosqlite://")
        Factory = async_sessionmaker(engine, expire_on_commit=False)
        Legacy = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        SyncFactory = sessionmaker(create_engine("sqlite://"))
        Scoped = async_scoped_session(Factory, scopefunc=current_task)

        async def f(factory: async_sessionmaker[AsyncSession], sync_factory: sessionmaker):
            probe(Factory); probe(Legacy); probe(SyncFactory); probe(Scoped)
            probe(factory); probe(sync_factory)
            async with Factory() as s1:
                probe(s1)
            async with Factory.begin() as s2:
                probe(s2)
            s3 = Factory()
            probe(s3)
            async with Legacy() as s4:
                probe(s4)
            with SyncFactory() as s5:
                probe(s5)
            probe(Scoped())
            async with factory() as s6:
                probe(s6)
            s7 = AsyncSession(engine)
            probe(s7)
            s7 = object()
            probe(s7)
        """
    ) == [F, F, SYNC_F, SCOPED, F, SYNC_F, S, S, S, S, SYNC, S, S, S, None]


def test_engines_and_connections():
    assert kinds(
        """
        import sqlalchemy as sa
        import sqlalchemy.ext.asyncio as sa_async

        engine = sa_async.create_async_engine("sqlite+aiosqlite://")
        sync_engine = sa.create_engine("sqlite://")

        async def f():
            probe(engine)
            async with engine.connect() as conn:
                probe(conn)
            async with engine.begin() as conn2:
                probe(conn2)
            conn3 = await engine.connect()
            probe(conn3)
            probe(sync_engine)
            with sync_engine.connect() as sconn:
                probe(sconn)
        """
    ) == [E, C, C, C, SYNC_E, SYNC_C]


def test_self_attributes_set_in_init():
    assert kinds(
        """
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

        class Repository:
            def __init__(self, session: AsyncSession, factory: async_sessionmaker[AsyncSession]):
                self.session = session
                self.factory = factory

            async def get(self):
                probe(self.session)
                probe(self.factory)
                async with self.factory() as s:
                    probe(s)
                probe(self.factory())

        class Other:
            async def get(self):
                probe(self.session)
        """
    ) == [S, F, S, S, None]


def test_names_rebound_or_unrelated_have_no_kind():
    assert kinds(
        """
        from sqlalchemy.ext.asyncio import AsyncSession

        def async_sessionmaker(engine):  # a local function with the same name
            return engine

        Factory = async_sessionmaker(None)

        async def f(session: AsyncSession, db, client):
            probe(Factory)
            probe(Factory())
            probe(db)
            probe(client.session)
            session = await make_something()
            probe(session)
        """
    ) == [None, None, None, None, None]


def test_configured_module_level_factory():
    source = """
        from myapp.db import SessionLocal, get_session
        import myapp.db

        async def f():
            async with SessionLocal() as s:
                probe(s)
            probe(SessionLocal)
            async with get_session() as s2:
                probe(s2)
            probe(myapp.db.SessionLocal())
        """
    assert kinds(source) == [None, None, None, None]
    assert kinds(source, **{"session-factories": ["myapp.db.SessionLocal", "myapp.db.get_session"]}) == [S, F, S, S]


def test_configured_factory_method_of_a_class():
    """`session-factories = ["pkg.Database.session_context"]`: the method of an
    instance annotated with (or constructed from) that class gives a session."""
    source = """
        from prefect.server.database import PrefectDBInterface, provide_database_interface
        from fastapi import Depends

        async def route(db: PrefectDBInterface = Depends(provide_database_interface)):
            probe(db.session_context)
            async with db.session_context() as session:
                probe(session)
            probe(db.other())

        class Service:
            def __init__(self, db: PrefectDBInterface):
                self.db = db

            async def run(self):
                async with self.db.session_context(begin_transaction=True) as session:
                    probe(session)

        async def built():
            db = PrefectDBInterface()
            async with db.session_context() as session:
                probe(session)
        """
    assert kinds(source) == [None, None, None, None, None]
    configured = kinds(source, **{"session-factories": ["prefect.server.database.PrefectDBInterface.session_context"]})
    assert configured == [F, S, None, S, S]


def test_configured_callable_class():
    """`session-factories = ["pkg.DbSessionFactory.__call__"]`: calling an instance gives a session."""
    source = """
        from phoenix.server.types import DbSessionFactory

        async def f(db: DbSessionFactory):
            probe(db)
            async with db() as session:
                probe(session)

        class Store:
            def __init__(self, db: DbSessionFactory):
                self._db = db

            async def run(self):
                async with self._db() as session:
                    probe(session)
        """
    assert kinds(source) == [None, None, None]
    configured = kinds(source, **{"session-factories": ["phoenix.server.types.DbSessionFactory.__call__"]})
    assert configured == ["sqlalchemy.provider:phoenix.server.types.DbSessionFactory", S, S]


def test_kinds_through_renamed_imports_wrappers_and_local_factories():
    """The receiver layer rejects most calls and annotations by their last
    name; names imported under another name, wrappers imported under another
    name and names holding a factory must still get their kinds."""
    assert kinds(
        """
        import typing
        from typing import Annotated as Ann, Optional as Opt
        from sqlalchemy.ext.asyncio import AsyncSession as AS, async_sessionmaker as make_factory
        from sqlalchemy.ext.asyncio import create_async_engine as make_engine

        engine = make_engine("sqlite+aiosqlite://")
        factory = make_factory(engine)

        async def f(a: Ann[AS, 1], b: Opt[AS], c: "Ann[AS, 1]", d: typing.Optional[AS], e: AS | None, g: list[AS]):
            probe(a)
            probe(b)
            probe(c)
            probe(d)
            probe(e)
            probe(g)
            probe(engine)
            probe(factory)
            maker = factory
            probe(maker())
            probe(engine.connect())
            probe(engine.sync_engine())
        """
    ) == [S, S, S, S, S, None, E, F, S, C, None]
