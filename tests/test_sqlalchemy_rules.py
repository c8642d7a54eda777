"""SQLAlchemy rules PBK301-PBK310: what each flags and what it must leave alone."""

from __future__ import annotations

from helpers import assert_marked, findings

PREFECT = {"session-factories": ["prefect.server.database.PrefectDBInterface.session_context"]}


# -- PBK301 -----------------------------------------------------------------------------


def test_pbk301_factories_and_sessions_without_expire_on_commit_false():
    assert_marked(
        """
        import sqlalchemy.ext.asyncio as sa_async
        from sqlalchemy.ext.asyncio import AsyncSession as AS, async_sessionmaker as asm
        from sqlalchemy.orm import sessionmaker as sm
        from sqlmodel.ext.asyncio.session import AsyncSession as ModelSession

        engine = sa_async.create_async_engine("sqlite+aiosqlite://")
        F1 = asm(engine)  # PBK301
        F2 = asm(engine, expire_on_commit=True)  # PBK301
        F3 = sm(  # PBK301 reported where the call starts
            engine,
            class_=sa_async.AsyncSession,
        )

        async def handler():
            async with AS(engine) as session:  # PBK301
                await session.commit()
            async with ModelSession(engine) as session:  # PBK301
                await session.commit()
        """,
        codes=["PBK301"],
    )


def test_pbk301_must_not_flag():
    assert_marked(
        """
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import Session, sessionmaker

        engine = create_async_engine("sqlite+aiosqlite://")
        OPTIONS = {"expire_on_commit": False}
        F1 = async_sessionmaker(engine, expire_on_commit=False)
        F2 = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        F3 = async_sessionmaker(engine, **OPTIONS)  # may carry it
        F4 = async_sessionmaker(engine, expire_on_commit=settings.expire)  # not knowable
        Sync = sessionmaker(create_engine("sqlite://"))  # sync: reloading works

        def job(bind):
            with Session(bind) as session:
                session.commit()

        def async_sessionmaker(engine):  # a local function with the same name
            return engine

        F5 = async_sessionmaker(engine)
        """,
        codes=["PBK301"],
    )


# -- PBK302 -----------------------------------------------------------------------------


def test_pbk302_lazy_loaders():
    assert_marked(
        """
        import sqlalchemy.orm as orm
        from sqlalchemy.ext.asyncio import AsyncAttrs
        from sqlalchemy.orm import DynamicMapped, Mapped, WriteOnlyMapped, relationship as rel

        class Base(AsyncAttrs, orm.DeclarativeBase):
            pass

        class A(Base):
            __tablename__ = "a"
            b1: Mapped[list["B"]] = rel()  # PBK302 AsyncAttrs does not exempt
            b2 = orm.relationship("B", lazy="select")  # PBK302
            b3 = rel("B", lazy=True)  # PBK302
            b4 = rel("B", lazy="dynamic")  # PBK302
            b5: DynamicMapped["B"] = rel()  # PBK302
            b6: "DynamicMapped[B]" = rel()  # PBK302
            ok1: WriteOnlyMapped["B"] = rel()
            ok2: "WriteOnlyMapped[B]" = rel()
            ok3 = rel("B", lazy="raise")
            ok4 = rel("B", lazy="raise_on_sql")
            ok5 = rel("B", lazy="selectin")
            ok6 = rel("B", lazy="joined")
            ok7 = rel("B", lazy="subquery")
            ok8 = rel("B", lazy="immediate")
            ok9 = rel("B", lazy="noload")  # deprecated in 2.1, but not a hidden load
            ok10 = rel("B", lazy="write_only")
            ok11 = rel("B", lazy=False)
            ok12 = rel("B", lazy=None)
            ok13 = rel("B", **options)
            ok14 = rel("B", lazy=LAZY)
        """,
        codes=["PBK302"],
    )


def test_pbk302_is_opinionated_and_ignores_other_relationship_functions():
    source = """
        from sqlalchemy.orm import relationship

        class A:
            b = relationship("B")
        """
    assert findings(source, codes=["PBK302"]) == [(5, "PBK302")]
    from python_backend_kit.catalog import bundled_rules

    assert bundled_rules()["PBK302"].default is False
    assert_marked(
        """
        def relationship(*args, **kwargs):
            return None

        class Graph:
            edges = relationship()
        """,
        codes=["PBK302"],
    )


# -- PBK303 -----------------------------------------------------------------------------


def test_pbk303_gather_over_one_session():
    assert_marked(
        """
        import asyncio as aio
        from asyncio import gather as g
        from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

        async def one(session: AsyncSession) -> None:
            await session.get(object, 1)

        async def main(session: AsyncSession, conn: AsyncConnection, ids: list[int]) -> None:
            await aio.gather(one(session), one(session))  # PBK303
            await aio.gather(  # PBK303 reported on the line where gather starts
                session.execute("a"),
                session.execute("b"),
            )
            await g(*[session.get(object, i) for i in ids])  # PBK303 a comprehension builds many
            await g(*(one(session=session) for _ in ids))  # PBK303
            await g(conn.execute("a"), conn.scalar("b"))  # PBK303
            await g(aio.wait_for(one(session), 1), aio.shield(one(session)))  # PBK303
        """,
        codes=["PBK303"],
    )


def test_pbk303_tasks_sharing_one_session():
    assert_marked(
        """
        import asyncio
        import anyio
        from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

        async def load(session: AsyncSession, item_id: int) -> None:
            await session.get(object, item_id)

        async def two_tasks(session: AsyncSession) -> None:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(load(session, 1))  # PBK303
                tg.create_task(load(session, 2))  # PBK303

        async def loop_version(session: AsyncSession, ids: list[int]) -> None:
            async with asyncio.TaskGroup() as tg:
                for item_id in ids:
                    tg.create_task(load(session, item_id))  # PBK303 one call in a loop counts as several

        async def plain_tasks(session: AsyncSession) -> None:
            t1 = asyncio.create_task(session.execute("a"))  # PBK303
            t2 = asyncio.ensure_future(load(session, 2))  # PBK303
            await t1, await t2

        async def in_comprehension(session: AsyncSession, ids: list[int]) -> None:
            tasks = [asyncio.create_task(load(session, i)) for i in ids]  # PBK303
            await asyncio.wait(tasks)

        async def anyio_version(conn: AsyncConnection) -> None:
            async with anyio.create_task_group() as tg:
                tg.start_soon(conn.exec_driver_sql, "a")  # PBK303
                tg.start_soon(run, conn, "b")  # PBK303

        class Repo:
            def __init__(self, session: AsyncSession) -> None:
                self.session = session

            async def both(self) -> None:
                await asyncio.gather(self.session.scalar("a"), self.session.scalar("b"))  # PBK303
        """,
        codes=["PBK303"],
    )


def test_pbk303_must_not_flag():
    assert_marked(
        """
        import asyncio
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

        engine = create_async_engine("sqlite+aiosqlite://")
        Factory = async_sessionmaker(engine, expire_on_commit=False)

        async def load(factory: async_sessionmaker[AsyncSession], item_id: int) -> None:
            async with factory() as session:
                await session.get(object, item_id)

        async def fetch(url: str) -> dict:
            return {}

        async def main(session: AsyncSession, other: AsyncSession, ids: list[int], sessions) -> None:
            async with asyncio.TaskGroup() as tg:  # a factory: one session per task
                tg.create_task(load(Factory, 1))
                tg.create_task(load(Factory, 2))
            await asyncio.gather(load(Factory, 1), load(Factory, 2))
            await asyncio.gather(*[load(Factory, i) for i in ids])
            await session.get(object, 1)  # sequential awaits
            await session.get(object, 2)
            await asyncio.gather(session.get(object, 3), fetch("x"))  # only one uses it
            await asyncio.gather(session.get(object, 1), other.get(object, 2))  # two sessions
            await asyncio.gather(*[s.get(object, 1) for s in sessions])  # one session each
            async with asyncio.TaskGroup() as tg:
                tg.create_task(load(session, 1))  # a single task, not in a loop
            for item_id in ids:
                await asyncio.create_task(load(session, item_id))  # awaited at once: sequential
            for item_id in ids:
                async with Factory() as fresh:  # a fresh session per iteration
                    asyncio.create_task(load(fresh, item_id))

        async def rebound(session: AsyncSession) -> None:
            gather = list  # locally rebound name
            gather([session, session])
        """,
        codes=["PBK303"],
    )


def test_pbk303_phoenix_near_miss_factory_passed_to_gathered_coroutines():
    # arize-phoenix dataset_mutations.py: info.context.db is a session factory
    assert_marked(
        """
        import asyncio

        async def delete_dataset(info, project_names, eval_trace_ids):
            async with info.context.db() as session:
                await session.scalars(stmt)
            await asyncio.gather(
                delete_projects(info.context.db, *project_names),
                delete_traces(info.context.db, *eval_trace_ids),
                return_exceptions=True,
            )
        """,
        codes=["PBK303"],
        **{"session-factories": ["phoenix.server.types.DbSessionFactory.__call__"]},
    )


def test_pbk303_prefect_shape_is_found_through_a_configured_factory_method():
    source = """
        import asyncio
        from fastapi import Depends
        from prefect.server.database import PrefectDBInterface, provide_database_interface
        import prefect.server.models as models

        async def read_concurrency_status(db: PrefectDBInterface = Depends(provide_database_interface)):
            async with db.session_context() as session:
                total, page = await asyncio.gather(  # PBK303
                    models.workers.count_slot_holders(session=session, work_queue_id=1),
                    models.workers.get_slot_holders(session=session, work_queue_id=1),
                )
        """
    assert_marked(source, codes=["PBK303"], **PREFECT)
    assert findings(source, codes=["PBK303"]) == []  # without configuration the model cannot tell


# -- PBK304 -----------------------------------------------------------------------------


def test_pbk304_sync_database_calls_in_async_code():
    assert_marked(
        """
        import sqlite3 as lite
        import psycopg2, psycopg, pymysql
        import mysql.connector
        from sqlalchemy import create_engine, text
        from sqlalchemy.orm import Session as S, sessionmaker

        engine = create_engine("sqlite:///a.db")
        SyncFactory = sessionmaker(engine)

        async def handler(given: S) -> None:
            lite.connect("a.db")  # PBK304
            psycopg2.connect("dbname=a")  # PBK304
            psycopg.connect("dbname=a")  # PBK304
            pymysql.connect(host="db")  # PBK304
            mysql.connector.connect(host="db")  # PBK304
            with S(engine) as s:  # PBK304 its exit commits or rolls back
                s.execute(text("SELECT 1"))  # PBK304
                s.add(object())  # bookkeeping, no IO
            with engine.connect() as conn:  # PBK304
                conn.execute(text("SELECT 1"))  # PBK304 a sync Connection
            with SyncFactory() as s2:  # PBK304
                s2.commit()  # PBK304
            given.scalar(text("SELECT 1"))  # PBK304
            maker = sessionmaker(engine)  # building a factory does no IO
            s3 = S(engine)  # nor does building a session
        """,
        codes=["PBK304"],
    )


def test_pbk304_must_not_flag():
    assert_marked(
        """
        import asyncio
        import sqlite3
        from sqlalchemy import create_engine, text
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
        from sqlalchemy.orm import Session

        engine = create_engine("sqlite:///a.db")
        Factory = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"), expire_on_commit=False)

        def sync_job() -> None:
            with Session(engine) as session:
                session.execute(text("SELECT 1"))
            sqlite3.connect("a.db").close()

        async def handler(db: Session) -> None:
            await asyncio.to_thread(sync_job)

            def nested() -> None:  # a nested sync def ends the async context
                sqlite3.connect("a.db").close()

            await asyncio.to_thread(nested)
            async with Factory() as session:
                await session.run_sync(lambda s: s.execute(text("SELECT 1")))
            await db.exec(text("SELECT 1"))  # awaited: the annotation is wrong, not the call
        """,
        codes=["PBK304"],
    )


# -- PBK305 -----------------------------------------------------------------------------


def test_pbk305_module_level_sessions():
    assert_marked(
        """
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import Session, sessionmaker

        engine = create_async_engine("sqlite+aiosqlite://")
        Factory = async_sessionmaker(engine, expire_on_commit=False)
        SyncFactory = sessionmaker(create_engine("sqlite://"))

        session = Factory()  # PBK305
        db = Session(create_engine("sqlite://"))  # PBK305
        s2: AsyncSession = AsyncSession(engine, expire_on_commit=False)  # PBK305
        s3 = SyncFactory()  # PBK305
        _cached = None

        def get_session() -> AsyncSession:
            global _cached
            _cached = Factory()  # PBK305
            return _cached
        """,
        codes=["PBK305"],
    )


def test_pbk305_must_not_flag():
    assert_marked(
        """
        from asyncio import current_task
        from sqlalchemy.ext.asyncio import async_scoped_session, async_sessionmaker, create_async_engine

        engine = create_async_engine("sqlite+aiosqlite://")
        Factory = async_sessionmaker(engine, expire_on_commit=False)
        Scoped = async_scoped_session(Factory, scopefunc=current_task)

        async def handler() -> None:
            session = Factory()
            try:
                await session.commit()
            finally:
                await session.close()

        class Repo:
            session = None

            def __init__(self) -> None:
                self.session = Factory()

        if __name__ == "__main__":
            script_session = Factory()  # a script's own session
        """,
        codes=["PBK305"],
    )


def test_pbk305_configured_factory():
    assert_marked(
        """
        from myapp.db import SessionLocal

        session = SessionLocal()  # PBK305
        """,
        codes=["PBK305"],
        **{"session-factories": ["myapp.db.SessionLocal"]},
    )


# -- PBK306 -----------------------------------------------------------------------------


def test_pbk306_sessions_never_closed():
    assert_marked(
        """
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import Session, sessionmaker

        engine = create_async_engine("sqlite+aiosqlite://")
        Factory = async_sessionmaker(engine, expire_on_commit=False)
        SyncFactory = sessionmaker()

        async def a() -> None:
            s = Factory()  # PBK306
            await s.execute(text("SELECT 1"))

        async def b() -> None:
            s = AsyncSession(engine, expire_on_commit=False)  # PBK306 close not in finally
            await s.execute(text("SELECT 1"))
            await s.close()

        def c() -> None:
            s = SyncFactory()  # PBK306 sync sessions too
            s.execute(text("SELECT 1"))

        def d(bind) -> None:
            s = Session(bind)  # PBK306
            s.commit()

        async def e() -> None:
            s = Factory()  # PBK306 handed to code that queries with it
            await crud.get(s, 1)

        class Service:
            def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
                self.factory = factory

            async def run(self) -> None:
                s = self.factory()  # PBK306
                await s.commit()
        """,
        codes=["PBK306"],
    )


def test_pbk306_must_not_flag():
    assert_marked(
        """
        from contextlib import AsyncExitStack, closing
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import Session

        engine = create_async_engine("sqlite+aiosqlite://")
        Factory = async_sessionmaker(engine, expire_on_commit=False)

        async def a() -> None:
            async with Factory() as s:
                await s.execute(text("SELECT 1"))

        async def b() -> None:
            s = Factory()
            try:
                await s.execute(text("SELECT 1"))
            finally:
                if s is not None:
                    await s.close()

        async def c() -> None:
            async with AsyncExitStack() as stack:
                s = await stack.enter_async_context(Factory())
                await s.execute(text("SELECT 1"))
                s2 = Factory()
                stack.push_async_callback(s2.close)
                await s2.execute(text("SELECT 1"))

        def d() -> AsyncSession:
            s = Factory()
            return s

        async def e():
            s = Factory()
            try:
                yield s
            finally:
                await s.close()

        async def f() -> None:
            s = Factory()
            async with s:
                await s.execute(text("SELECT 1"))

        async def g() -> None:
            s = Factory()
            async with s.begin():  # the transaction ends: the connection goes back
                await s.execute(text("SELECT 1"))

        def h(bind) -> None:
            s = Session(bind)
            with closing(s):
                s.execute(text("SELECT 1"))

        def bookkeeping(obj) -> list:
            s = Session()  # no IO: it never holds a connection
            s.add(obj)
            new = list(s.new)
            s.expunge_all()
            return new

        class Repo:
            def __init__(self) -> None:
                s = Factory()
                self.session = s

        async def wrapped(request) -> None:
            s = Factory()
            request.state.db = s
            await s.execute(text("SELECT 1"))

        async def returned_in_object():
            s = Factory()
            await s.execute(text("SELECT 1"))
            return Repository(s)
        """,
        codes=["PBK306"],
    )


# -- PBK307 -----------------------------------------------------------------------------


def test_pbk307_coroutines_never_awaited():
    assert_marked(
        """
        import sqlalchemy.ext.asyncio as sa
        from sqlalchemy import select, text

        engine = sa.create_async_engine("sqlite+aiosqlite://")
        Factory = sa.async_sessionmaker(engine, expire_on_commit=False)

        async def session_methods(session: sa.AsyncSession) -> None:
            session.execute(text("SELECT 1"))  # PBK307
            session.commit()  # PBK307
            session.aclose()  # PBK307
            session.merge_all([])  # PBK307
            session.delete_all([])  # PBK307
            rows = session.execute(select(1)).scalars()  # PBK307 the coroutine has no scalars()
            async with session.stream(select(1)) as result:  # PBK307 AsyncSession.stream is a coroutine
                pass
            pending = session.scalar(text("SELECT 1"))  # PBK307 stored, never awaited
            print(pending)

        async def connection_methods() -> None:
            async with engine.connect() as conn:
                conn.execute(text("SELECT 1"))  # PBK307
                conn.exec_driver_sql("SELECT 1")  # PBK307
                conn.execution_options(isolation_level="AUTOCOMMIT")  # PBK307 a coroutine on AsyncConnection
                conn.get_isolation_level()  # PBK307
                conn.stream(text("SELECT 1"))  # PBK307 discarded: nothing runs

        async def engine_methods() -> None:
            engine.raw_connection()  # PBK307

        async def returned(session: sa.AsyncSession):
            return session.commit()  # PBK307 returning from an async function does not count

        class Repo:
            def __init__(self, session: sa.AsyncSession) -> None:
                self.session = session

            async def save(self) -> None:
                self.session.commit()  # PBK307

        def sync_caller(session: sa.AsyncSession) -> None:
            session.close()  # PBK307 a discarded coroutine in sync code is lost too
        """,
        codes=["PBK307"],
    )


def test_pbk307_must_not_flag():
    assert_marked(
        """
        import asyncio
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

        engine = create_async_engine("sqlite+aiosqlite://")

        async def handler(session: AsyncSession, client) -> None:
            await session.commit()
            pending = session.flush()
            await pending
            later = session.execute(text("SELECT 1"))
            await asyncio.wait_for(later, 5)
            await asyncio.shield(session.commit())
            await asyncio.gather(session.execute(text("SELECT 1")), return_exceptions=True)
            coros = [session.get(object, i) for i in range(3)]
            async with asyncio.TaskGroup() as tg:
                tg.create_task(session.execute(text("SELECT 1")))
            async with session.begin():
                session.add(object())
            async with engine.connect() as conn:
                async with conn.stream(text("SELECT 1")) as result:
                    await result.all()
                result = await conn.stream(text("SELECT 1"))
                await result.close()
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            engine.execution_options(isolation_level="AUTOCOMMIT")  # plain on AsyncEngine
            session.add(object())
            session.expunge_all()
            client.commit()  # unknown receiver
            (await session.execute(text("SELECT 1"))).scalars()

        def deferred(session: AsyncSession):
            return session.commit()  # a sync function hands the coroutine to its caller

        def deferred_via_name(session: AsyncSession):
            coro = session.commit()
            return coro

        async def handed_on(session: AsyncSession, queue) -> None:
            coro = session.commit()
            queue.put_nowait(coro)
            callback = lambda: session.close()
        """,
        codes=["PBK307"],
    )


# -- PBK308 -----------------------------------------------------------------------------


def test_pbk308_await_on_plain_methods():
    assert_marked(
        """
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

        Factory = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"), expire_on_commit=False)

        async def handler(session: AsyncSession, obj: object) -> None:
            await session.add(obj)  # PBK308
            await session.add_all([obj])  # PBK308
            await session.expunge(obj)  # PBK308
            await session.expunge_all()  # PBK308
            await session.expire(obj)  # PBK308
            await session.expire_all()  # PBK308
            await session.get_bind()  # PBK308
            await session.get_transaction()  # PBK308
            if await session.in_transaction():  # PBK308
                pass
            if await session.in_nested_transaction():  # PBK308
                pass
            if await session.is_modified(obj):  # PBK308
                pass
            async with Factory() as s:
                await s.add(obj)  # PBK308
        """,
        codes=["PBK308"],
    )


def test_pbk308_must_not_flag():
    assert_marked(
        """
        from sqlalchemy.ext.asyncio import AsyncSession

        async def handler(session: AsyncSession, obj: object, repo) -> None:
            session.add(obj)
            session.add_all([obj])
            if session.in_transaction():
                pass
            await session.begin()  # an awaitable AsyncSessionTransaction
            await session.begin_nested()
            await repo.add(obj)  # unknown receiver: a repository's own async add
            await session.refresh(obj)
        """,
        codes=["PBK308"],
    )


# -- PBK309 -----------------------------------------------------------------------------


def test_pbk309_query_on_async_session():
    assert_marked(
        """
        from typing import Annotated
        from asyncio import current_task
        from fastapi import Depends
        from sqlalchemy.ext.asyncio import (
            AsyncSession, async_scoped_session, async_sessionmaker, create_async_engine,
        )

        Factory = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"), expire_on_commit=False)
        Scoped = async_scoped_session(Factory, scopefunc=current_task)
        SessionDep = Annotated[AsyncSession, Depends(get_db)]

        async def a(session: AsyncSession) -> None:
            session.query(object).all()  # PBK309

        async def b() -> None:
            async with Factory() as s:
                s.query(object).count()  # PBK309

        async def view(db: SessionDep) -> int:
            return db.query(object).count()  # PBK309 through a module-level alias

        def sync_helper() -> None:
            Scoped.query(object)  # PBK309 the scoped proxy has no query() either
        """,
        codes=["PBK309"],
    )


def test_pbk309_must_not_flag():
    assert_marked(
        """
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession
        from sqlalchemy.orm import Session

        def sync_part(session: Session) -> int:
            return session.query(object).count()

        async def handler(session: AsyncSession, other) -> None:
            await session.execute(select(1))
            await session.run_sync(lambda s: s.query(object).count())
            await session.run_sync(sync_part)
            other.query(object)
        """,
        codes=["PBK309"],
    )


# -- PBK310 -----------------------------------------------------------------------------


def test_pbk310_flush_in_loop():
    assert_marked(
        """
        from sqlalchemy import insert
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        from sqlalchemy.ext.asyncio import AsyncSession

        async def a(session: AsyncSession, rows: list) -> None:
            for row in rows:
                session.add(row)
                await session.flush()  # PBK310

        async def b(session: AsyncSession, rows: list) -> None:
            i = 0
            while i < len(rows):
                session.add_all([rows[i]])
                await session.commit()  # PBK310
                i += 1

        async def c(session: AsyncSession, rows: list, table) -> None:
            async for row in rows:
                await session.execute(pg_insert(table).values(x=1).on_conflict_do_nothing())  # PBK310
                session.add(row)

        async def d(session: AsyncSession, rows: list) -> None:
            for row in rows:
                try:
                    session.add(row)
                    await session.flush()  # PBK310 a try body runs every time
                except ValueError:
                    await session.rollback()

        class Importer:
            def __init__(self, session: AsyncSession) -> None:
                self.session = session

            async def run(self, rows) -> None:
                for row in rows:
                    self.session.add(row)
                    await self.session.commit()  # PBK310
        """,
        codes=["PBK310"],
    )


def test_pbk310_must_not_flag():
    assert_marked(
        """
        from sqlalchemy import insert
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

        Factory = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"), expire_on_commit=False)

        async def a(session: AsyncSession, rows: list, table) -> None:
            session.add_all(rows)
            await session.flush()
            await session.execute(insert(table), [{"x": 1}, {"x": 2}])

        async def b(session: AsyncSession, rows: list) -> None:
            for i, row in enumerate(rows):
                session.add(row)
                if i % 500 == 0:
                    await session.flush()  # conditional: bounded batches

        async def c(rows: list) -> None:
            for row in rows:
                async with Factory() as session:  # a fresh session per iteration
                    session.add(row)
                    await session.commit()

        async def d(session: AsyncSession, other: AsyncSession, rows: list) -> None:
            for row in rows:
                other.add(row)
                await session.flush()  # a different session
            await other.flush()

        async def e(session: AsyncSession, rows: list) -> None:
            for row in rows:
                await session.execute(row)  # no add in the loop

        async def retry(session: AsyncSession, entry) -> None:
            for attempt in range(3):  # a retry loop, not one pass per row
                try:
                    session.add(entry)
                    await session.flush()
                    break
                except ValueError:
                    await session.rollback()

        async def nested(session: AsyncSession, rows: list) -> None:
            for row in rows:
                session.add(row)

                async def later() -> None:
                    await session.flush()  # another function: runs when called
        """,
        codes=["PBK310"],
    )
