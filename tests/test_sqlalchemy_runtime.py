"""Runtime proof: the rule files' examples run against a real async SQLite database.

For PBK303, PBK307 and PBK309 the Incorrect example is executed with
aiosqlite and fails exactly as its rule file says; the Correct example works.
The examples are taken from the rule files themselves, so the docs cannot
drift from what SQLAlchemy does.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import types
import warnings

import pytest

sqlalchemy = pytest.importorskip("sqlalchemy")
pytest.importorskip("aiosqlite")
pytest.importorskip("greenlet")

from sqlalchemy import select  # noqa: E402
from sqlalchemy.exc import IllegalStateChangeError, InvalidRequestError, ResourceClosedError  # noqa: E402
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine  # noqa: E402

from python_backend_kit.catalog import bundled_rules  # noqa: E402
from python_backend_kit.rule_docs import examples  # noqa: E402

needs_taskgroup = pytest.mark.skipif(sys.version_info < (3, 11), reason="the examples use asyncio.TaskGroup")
PROVISIONING = "This session is provisioning a new connection; concurrent operations are not permitted"


def example(code: str, section: str) -> dict:
    """Execute the (single) *section* example of rule *code*; return its namespace."""
    rule = bundled_rules()[code]
    blocks = [e for e in examples(rule.text(), str(rule.path)) if e.section == section]
    assert len(blocks) == 1, f"{code} has {len(blocks)} {section} examples"
    module = types.ModuleType(f"pbk_example_{code}_{section.lower()}")
    sys.modules[module.__name__] = module  # SQLAlchemy resolves annotations through it
    code_object = compile(blocks[0].source, f"{rule.path.name}:{section}", "exec", dont_inherit=True)
    exec(code_object, module.__dict__)
    return module.__dict__


class Database:
    """A file-backed aiosqlite database with the example's tables."""

    def __init__(self, tmp_path, base) -> None:
        self.engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'app.db'}")
        self.factory = async_sessionmaker(self.engine, expire_on_commit=False)
        self.base = base

    async def setup(self, *rows) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(self.base.metadata.create_all)
        async with self.factory() as session:
            session.add_all(rows)
            await session.commit()

    async def cold_session(self):
        """A session that still has to open its connection, and must wait for it."""
        await self.engine.dispose()  # the next checkout opens a new connection
        return self.factory()


async def settle_and_close(session) -> None:
    await asyncio.sleep(0.05)  # let the other tasks finish before closing
    await session.close()


# -- PBK303 ------------------------------------------------------------------------------


@needs_taskgroup
def test_pbk303_incorrect_example_fails_as_documented(tmp_path):
    ns = example("PBK303", "Incorrect")
    Order, Customer = ns["Order"], ns["Customer"]

    async def main():
        db = Database(tmp_path, ns["Base"])
        await db.setup(*[Order(id=i) for i in range(1, 4)], Customer(id=1))

        # 1. a TaskGroup over a session that still has to open its connection
        session = await db.cold_session()
        with pytest.raises(ExceptionGroup) as group:  # noqa: F821 (3.11+)
            await ns["dashboard"](session)
        texts = {str(e) for e in group.value.exceptions}
        assert any(PROVISIONING in t for t in texts), texts
        assert all(isinstance(e, InvalidRequestError) for e in group.value.exceptions)
        await settle_and_close(session)

        # 1. the same with gather(return_exceptions=True): the errors come back as results
        session = await db.cold_session()
        results = await ns["load_orders"](session, [1, 2, 3])
        errors = [r for r in results if isinstance(r, BaseException)]
        assert errors and all(isinstance(e, InvalidRequestError) and PROVISIONING in str(e) for e in errors)
        await settle_and_close(session)

        # 2. concurrent flushes
        session = db.factory()
        await session.execute(select(1))
        results = await ns["import_orders"](session, [10, 11, 12])
        errors = [r for r in results if isinstance(r, BaseException)]
        assert errors and all(isinstance(e, InvalidRequestError) for e in errors)
        assert all("Session is already flushing" in str(e) for e in errors), errors
        await settle_and_close(session)

        # 4. reads on a session that already holds its connection: no error (and no gain)
        session = db.factory()
        await session.execute(select(1))
        results = await ns["load_orders"](session, [1, 2, 3])
        assert [order.id for order in results] == [1, 2, 3]
        await session.close()
        await db.engine.dispose()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)  # "Session.add() ... flush process"
        asyncio.run(main())


def test_pbk303_concurrent_commits_raise_illegal_state_change(tmp_path):
    """Case 3 of the rule file: gathered commits on one session."""
    ns = example("PBK303", "Incorrect")
    Order = ns["Order"]

    async def add_and_commit(session, order_id):
        session.add(Order(id=order_id))
        await session.commit()

    async def main():
        db = Database(tmp_path, ns["Base"])
        await db.setup()
        session = db.factory()
        await session.execute(select(1))
        results = await asyncio.gather(*[add_and_commit(session, i) for i in (1, 2, 3)], return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        illegal = [e for e in errors if isinstance(e, IllegalStateChangeError)]
        assert illegal, errors
        assert "Method 'commit()' can't be called here; method '_prepare_impl()' is already in progress" in str(illegal[0])
        # every commit fails; the first finds its transaction closed under it
        assert len(errors) == 3, results
        assert {type(e) for e in errors} == {IllegalStateChangeError, ResourceClosedError}, errors
        assert "This transaction is closed" in str(next(e for e in errors if type(e) is ResourceClosedError))
        await settle_and_close(session)
        await db.engine.dispose()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        asyncio.run(main())


@needs_taskgroup
def test_pbk303_correct_example_works(tmp_path):
    ns = example("PBK303", "Correct")
    Order, Customer = ns["Order"], ns["Customer"]

    async def main():
        db = Database(tmp_path, ns["Base"])
        await db.setup(*[Order(id=i) for i in range(1, 4)], Customer(id=1))
        await db.engine.dispose()  # cold: every task must open a connection
        assert await ns["dashboard"](db.factory) == {"orders": 3, "customers": 1}
        async with db.factory() as session:
            assert [o.id for o in await ns["load_orders"](session, [1, 3])] == [1, 3]
            await ns["import_orders"](session, [10, 11])
            assert await ns["totals"](session) == (5, 1)
        await db.engine.dispose()

    asyncio.run(main())


# -- PBK307 ------------------------------------------------------------------------------


def test_pbk307_incorrect_example_writes_nothing(tmp_path):
    ns = example("PBK307", "Incorrect")
    User = ns["User"]

    async def main():
        db = Database(tmp_path, ns["Base"])
        await db.setup(User(id=1, name="old"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            async with db.factory() as session:
                await ns["rename_user"](session, 1, "new")
            gc.collect()
        messages = {str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)}
        assert "coroutine 'AsyncSession.execute' was never awaited" in messages, messages
        assert "coroutine 'AsyncSession.commit' was never awaited" in messages, messages
        async with db.factory() as session:
            assert await session.scalar(select(User.name).where(User.id == 1)) == "old"
        await db.engine.dispose()

    asyncio.run(main())


def test_pbk307_correct_example_writes(tmp_path):
    ns = example("PBK307", "Correct")
    User = ns["User"]

    async def main():
        db = Database(tmp_path, ns["Base"])
        await db.setup(User(id=1, name="old"), User(id=2, name="other"))
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # nothing left un-awaited
            async with db.factory() as session:
                await ns["rename_user"](session, 1, "new")
            async with db.factory() as session:
                session.add(User(id=3, name="third"))
                await ns["commit_even_if_cancelled"](session)
                session.add(User(id=4, name="fourth"))
                await ns["commit_later"](session)
            async with db.engine.connect() as conn:
                names = await ns["export_names"](conn)
            gc.collect()
        assert names == ["new", "other", "third", "fourth"]
        await db.engine.dispose()

    asyncio.run(main())


# -- PBK309 ------------------------------------------------------------------------------


def test_pbk309_incorrect_example_raises_attribute_error(tmp_path):
    ns = example("PBK309", "Incorrect")

    async def main():
        db = Database(tmp_path, ns["Base"])
        await db.setup(ns["City"](id=1, name="Oslo"))
        async with db.factory() as session:
            with pytest.raises(AttributeError, match="'AsyncSession' object has no attribute 'query'"):
                await ns["city_names"](session)
        await db.engine.dispose()

    asyncio.run(main())


def test_pbk309_correct_example_works(tmp_path):
    ns = example("PBK309", "Correct")
    City = ns["City"]

    async def main():
        db = Database(tmp_path, ns["Base"])
        await db.setup(City(id=1, name="Oslo"), City(id=2, name="Bergen"))
        async with db.factory() as session:
            assert await ns["city_names"](session) == ["Bergen", "Oslo"]
            assert await ns["city_count"](session) == 2
        await db.engine.dispose()

    asyncio.run(main())
