"""PBK4xx unit cases beyond the doc examples and tests/data/pools: aliases,
nesting, near misses, and the decisions taken for precision."""

from __future__ import annotations

from helpers import assert_marked, findings

# -- PBK401 ----------------------------------------------------------------


def test_pbk401_request_handlers_build_every_kind():
    assert_marked(
        """
        from typing import Annotated

        import aiohttp
        import asyncpg
        from fastapi import Depends, FastAPI
        from redis import asyncio as aioredis
        from sqlalchemy import create_engine

        app = FastAPI()


        def get_sync_engine():
            yield create_engine("postgresql://db/app", pool_pre_ping=True)  # PBK401


        async def get_redis():
            r = aioredis.ConnectionPool.from_url("redis://cache")  # PBK401
            yield r
            await r.aclose()


        @app.websocket("/ws")
        async def ws(e: Annotated[object, Depends(get_sync_engine)], r: Annotated[object, Depends(get_redis)]) -> None:
            async with aiohttp.ClientSession() as s:  # PBK401
                await s.get("https://x.example")
            pool = await asyncpg.create_pool("postgresql://db/app")  # PBK401
            await pool.close()
        """,
        codes={"PBK401"},
    )


def test_pbk401_lazy_cache_on_the_app_is_not_per_request_but_request_state_is():
    assert_marked(
        """
        import functools

        import httpx
        from fastapi import FastAPI, Request

        app = FastAPI()


        @app.get("/a")
        async def a(request: Request) -> int:
            if getattr(request.app.state, "http", None) is None:
                request.app.state.http = httpx.AsyncClient()
            return (await request.app.state.http.get("https://x.example")).status_code


        @app.get("/b")
        async def b(request: Request) -> None:
            request.state.http = httpx.AsyncClient()  # PBK401


        @functools.lru_cache
        def get_client() -> httpx.AsyncClient:
            return httpx.AsyncClient()


        @app.get("/c")
        async def c() -> int:
            return (await get_client().get("https://x.example")).status_code
        """,
        codes={"PBK401"},
    )


def test_pbk401_per_call_engines_only_in_async_functions():
    assert_marked(
        """
        import sqlalchemy as sa
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import NullPool


        def check_version(url: str) -> str:
            engine = sa.create_engine(url)  # a one-shot probe or migration: once per process
            try:
                with engine.connect() as conn:
                    return conn.scalar(sa.text("select version()"))
            finally:
                engine.dispose()


        async def migrate(url: str) -> None:
            engine = create_async_engine(url, poolclass=NullPool)  # NullPool builds no pool
            await engine.dispose()


        async def count(url: str) -> int:
            engine = create_async_engine(url, pool_pre_ping=True)  # PBK401
            try:
                async with engine.connect() as conn:
                    return await conn.scalar(sa.text("select 1"))
            finally:
                await engine.dispose()
        """,
        codes={"PBK401"},
    )


def test_pbk401_factories_caches_and_entry_points():
    assert_marked(
        """
        import asyncio

        import anyio
        import asyncpg
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

        _engine = None
        _pools: dict = {}


        async def get_engine():
            global _engine
            if _engine is None:
                _engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
            return _engine


        async def session_factory(url: str):
            engine = create_async_engine(url, pool_pre_ping=True)
            factory = async_sessionmaker(engine, expire_on_commit=False)
            return factory


        async def pool_for(dsn: str):
            pool = _pools.get(dsn)
            if pool is None:
                pool = _pools[dsn] = await asyncpg.create_pool(dsn)
            return pool


        class Repo:
            async def connect(self, dsn: str) -> None:
                pool = await asyncpg.create_pool(dsn)
                self.pool = pool

            @classmethod
            async def open(cls, dsn: str):
                return cls(await asyncpg.create_pool(dsn))


        async def main() -> None:
            engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
            await engine.dispose()


        async def anyio_main() -> None:
            pool = await asyncpg.create_pool("postgresql://db/app")
            await pool.close()


        async def not_an_entry_point() -> None:
            pool = await asyncpg.create_pool("postgresql://db/app")  # PBK401
            await pool.close()


        def cli() -> None:
            asyncio.run(main())


        anyio.run(anyio_main)
        """,
        codes={"PBK401"},
    )


def test_pbk401_nested_functions_and_other_libraries():
    assert_marked(
        """
        import httpx
        from fastapi import FastAPI
        from psycopg_pool import ConnectionPool
        from sqlalchemy.ext.asyncio import create_async_engine

        app = FastAPI()


        @app.get("/")
        async def root() -> None:
            def build():
                return create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)

            async def job():
                engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)  # PBK401
                await engine.dispose()

            pool = ConnectionPool("postgresql://db/app")  # psycopg's, not redis's
            pool.close()
            make = lambda: httpx.AsyncClient()  # noqa: E731
            await job()
        """,
        codes={"PBK401"},
    )


# -- PBK402 ----------------------------------------------------------------


def test_pbk402_disposed_engines_and_sqlite_names_are_silent():
    assert_marked(
        """
        import sqlalchemy as sa
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import AsyncAdaptedQueuePool

        SQLITE_URL = "sqlite+aiosqlite:///x.db"
        a = create_async_engine(SQLITE_URL)
        b = create_async_engine(f"sqlite+aiosqlite:///{SQLITE_URL}")
        c = create_async_engine(url="sqlite://")
        d = create_async_engine("postgresql+asyncpg://db/app", poolclass=AsyncAdaptedQueuePool)  # PBK402
        e = create_async_engine(url="postgresql+asyncpg://db/app")  # PBK402


        def probe(url: str) -> None:
            engine = sa.create_engine(url)
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text("select 1"))
            finally:
                engine.dispose()


        def aio_sqlite_engine(url):
            return create_async_engine(url)


        class Db:
            def __init__(self, url: str) -> None:
                self.engine = create_async_engine(url)  # PBK402
        """,
        codes={"PBK402"},
    )


def test_pbk402_is_opinionated_and_off_by_default():
    from python_backend_kit.catalog import bundled_rules
    from python_backend_kit.selection import enabled_codes

    rules = bundled_rules()
    assert rules["PBK402"].default is False
    assert "PBK402" not in enabled_codes(rules)


# -- PBK403 ----------------------------------------------------------------


def test_pbk403_finally_aliases_gather_and_sync_dispose():
    assert_marked(
        """
        import asyncio
        from contextlib import asynccontextmanager

        import httpx
        import redis.asyncio as aioredis
        from fastapi import FastAPI
        from sqlalchemy import create_engine


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            client = httpx.AsyncClient()
            app.state.http = client
            app.state.redis = aioredis.Redis()
            sync_engine = create_engine("postgresql://db/app", pool_pre_ping=True)
            try:
                yield {"http": client}
            finally:
                await asyncio.gather(app.state.http.aclose(), app.state.redis.aclose())
                sync_engine.dispose()


        app = FastAPI(lifespan=lifespan)
        """,
        codes={"PBK403"},
    )


def test_pbk403_unprotected_unawaited_and_after_finally():
    assert_marked(
        """
        from contextlib import asynccontextmanager

        import asyncpg
        import httpx
        from sqlalchemy.ext.asyncio import create_async_engine
        from starlette.applications import Starlette


        @asynccontextmanager
        async def startup(app):
            engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)  # PBK403
            client = httpx.AsyncClient()  # PBK403
            pool = await asyncpg.create_pool("postgresql://db/app")  # PBK403
            try:
                yield
            finally:
                pool.terminate
            await engine.dispose()
            await client.aclose()


        app = Starlette(lifespan=startup)
        """,
        codes={"PBK403"},
    )


def test_pbk403_ownership_moves_and_closes_before_the_yield():
    assert_marked(
        """
        from contextlib import asynccontextmanager

        import asyncpg
        import httpx
        from fastapi import FastAPI
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

        from myapp.db import Database


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            app.state.db = Database(create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True))
            engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
            app.state.repo = Database(engine)
            probe = await asyncpg.create_pool("postgresql://db/app")
            await probe.close()
            other = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)  # PBK403
            app.state.sessions = async_sessionmaker(other, expire_on_commit=False)
            client = httpx.AsyncClient()
            async with client:
                yield
            await app.state.db.close()


        app = FastAPI(lifespan=lifespan)
        """,
        codes={"PBK403"},
    )


def test_pbk403_only_in_lifespans():
    assert_marked(
        """
        from contextlib import asynccontextmanager

        import httpx


        @asynccontextmanager
        async def http_client():
            client = httpx.AsyncClient()
            yield client


        async def lifespan_like(app):
            app.state.http = httpx.AsyncClient()
            yield
        """,
        codes={"PBK403"},
    )


def test_pbk403_try_star_and_nested_try():
    assert_marked(
        """
        from contextlib import asynccontextmanager

        import httpx


        @asynccontextmanager
        async def lifespan(app):
            app.state.http = httpx.AsyncClient()
            try:
                try:
                    yield
                except ValueError:
                    pass
            finally:
                await app.state.http.aclose()
        """,
        codes={"PBK403"},
    )


# -- PBK404 ----------------------------------------------------------------


def test_pbk404_ownership_and_uses():
    assert_marked(
        """
        import contextlib

        import aiohttp
        import httpx

        from myapp.api import Api, fetch


        async def handed_over() -> Api:
            client = httpx.AsyncClient()
            return Api(client)


        async def registered(registry) -> None:
            session = aiohttp.ClientSession()
            registry.add(session)


        async def only_used(url: str) -> int:
            client = httpx.AsyncClient()  # PBK404
            return await fetch(client, url)


        async def logged(url: str, logger) -> None:
            client = httpx.AsyncClient()  # PBK404
            logger.info("client %s", client)
            await client.get(url)


        async def aclosing(url: str) -> None:
            client = httpx.AsyncClient()
            async with contextlib.aclosing(client):
                await client.get(url)


        async def optional(url: str, client: httpx.AsyncClient | None = None) -> None:
            client = client or httpx.AsyncClient()
            await client.get(url)


        async def pair() -> tuple:
            client = httpx.AsyncClient()
            return client, 1


        async def inline_expr() -> None:
            httpx.AsyncClient()  # PBK404
        """,
        codes={"PBK404"},
    )


def test_pbk404_close_must_be_awaited_or_run():
    assert_marked(
        """
        import asyncio

        import aiohttp
        import httpx


        async def not_awaited() -> None:
            s = aiohttp.ClientSession()  # PBK404
            s.close()  # PBK409


        async def gathered() -> None:
            a = httpx.AsyncClient()
            b = httpx.AsyncClient()
            await asyncio.gather(a.aclose(), b.aclose())


        def sync_teardown(loop) -> None:
            c = httpx.AsyncClient()
            loop.run_until_complete(c.aclose())
        """,
        codes={"PBK404", "PBK409"},
    )


def test_pbk404_not_in_lifespans_module_level_or_sync_clients():
    assert_marked(
        """
        from contextlib import asynccontextmanager

        import httpx
        from fastapi import FastAPI

        shared = httpx.AsyncClient()


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            client = httpx.AsyncClient()  # PBK403
            yield


        def sync(url: str) -> int:
            return httpx.Client().get(url).status_code


        app = FastAPI(lifespan=lifespan)
        """,
        codes={"PBK403", "PBK404"},
    )


# -- PBK405 ----------------------------------------------------------------


def test_pbk405_import_time_only():
    assert_marked(
        """
        import aiohttp
        from aiohttp import ClientSession as CS

        SESSIONS = [CS() for _ in range(2)]  # PBK405


        async def factory():
            class Holder:
                session = aiohttp.ClientSession()

            def inner(s=aiohttp.ClientSession()):
                return s

            return Holder, inner


        class Outer:
            class Inner:
                connector = aiohttp.connector.TCPConnector()  # PBK405

            def method(self, s=CS()):  # PBK405
                return s
        """,
        codes={"PBK405"},
    )


def test_pbk405_where_argument():
    got = findings(
        """
        import aiohttp
        s = aiohttp.ClientSession()
        class K:
            c = aiohttp.TCPConnector()
        def f(x=aiohttp.ClientSession()):
            return x
        """,
        {"PBK405"},
    )
    assert got == [(3, "PBK405"), (5, "PBK405"), (6, "PBK405")]

    from python_backend_kit.catalog import bundled_rules
    from python_backend_kit.engine import Settings, check_source
    from python_backend_kit.messages import message_for

    found = check_source("import aiohttp\ndef f(x=aiohttp.ClientSession()):\n    return x\n", Settings(codes=frozenset({"PBK405"})))
    assert message_for(found[0], bundled_rules()) == "aiohttp.ClientSession() in a default argument fails at import (no running event loop)"


# -- PBK406 ----------------------------------------------------------------


def test_pbk406_more_forms():
    assert_marked(
        """
        import aiohttp
        import httpx
        import httpx2


        class Svc:
            def __init__(self) -> None:
                self.session = aiohttp.ClientSession()

            async def go(self, url: str) -> None:
                await self.session.post(url, ssl=False)  # PBK406
                await self.session.post(url, ssl=None)
                async with aiohttp.request("GET", url, ssl=False) as r:  # PBK406
                    await r.read()
                transport = httpx.AsyncHTTPTransport(verify=False)  # PBK406
                async with httpx2.AsyncClient(verify=False, transport=transport) as c:  # PBK406
                    await c.get(url)
                async with httpx.AsyncClient(verify="/etc/ca.pem") as c:
                    await c.get(url)
                ok = True
                httpx.get(url, verify=ok)
        """,
        codes={"PBK406"},
    )


# -- PBK407 ----------------------------------------------------------------


def test_pbk407_more_forms():
    assert_marked(
        """
        from typing import Annotated, Optional

        import redis.asyncio as aioredis
        from fastapi import Depends


        async def a(pool: aioredis.ConnectionPool, r: Optional[aioredis.Redis] = None) -> None:
            client = aioredis.Redis.from_pool(pool)
            await client.close()  # PBK407
            await r.close()  # PBK407
            await pool.disconnect()
            client.close()  # PBK409 (not PBK407: the un-awaited call is PBK409's)
        """,
        codes={"PBK407", "PBK409"},
    )


# -- PBK408 ----------------------------------------------------------------


def test_pbk408_more_forms():
    assert_marked(
        """
        import aiohttp
        import httpx
        import httpx2

        CFG = {"max_connections": 10}
        a = httpx.Limits()  # PBK408
        b = httpx2.Limits(max_keepalive_connections=10)  # PBK408
        c = httpx.Limits(**CFG)
        d = httpx.Limits(max_connections=CFG["max_connections"])


        async def f(n: int) -> None:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=None)) as s:  # PBK408
                await s.get("https://x.example")
            conn = aiohttp.TCPConnector(limit=n)
            conn2 = aiohttp.TCPConnector(limit_per_host=0)
            await conn.close()
            await conn2.close()
        """,
        codes={"PBK408"},
    )


def test_pbk408_message_names_the_form():
    from python_backend_kit.catalog import bundled_rules
    from python_backend_kit.engine import Settings, check_source
    from python_backend_kit.messages import message_for

    found = check_source("import httpx\nx = httpx.Limits()\n", Settings(codes=frozenset({"PBK408"})))
    assert message_for(found[0], bundled_rules()).startswith("httpx.Limits() without max_connections")


# -- PBK409 ----------------------------------------------------------------


def test_pbk409_returns_lambdas_and_pools():
    assert_marked(
        """
        from contextlib import AsyncExitStack

        import asyncio
        import httpx
        import redis.asyncio as aioredis
        from sqlalchemy.ext.asyncio import AsyncEngine


        class Api:
            def __init__(self) -> None:
                self.http = httpx.AsyncClient()
                self.pool = aioredis.ConnectionPool()

            async def close(self):
                return self.http.aclose()  # PBK409

            def closer(self):
                return self.http.aclose()

            async def stop(self, stack: AsyncExitStack) -> None:
                stack.push_async_callback(lambda: self.http.aclose())
                self.pool.disconnect()  # PBK409
                asyncio.get_running_loop().call_soon(lambda: self.pool.aclose())  # PBK409
                asyncio.run(self.http.aclose())


        def shutdown(engine: AsyncEngine, engines: list[AsyncEngine]) -> None:
            engine.dispose()  # PBK409
            for e in engines:
                e.dispose()  # unknown: the loop variable has no kind
        """,
        codes={"PBK409"},
    )


def test_handing_over_through_an_awaited_constructor_is_not_a_use():
    assert_marked(
        """
        import httpx
        from sqlalchemy.ext.asyncio import create_async_engine

        from myapp import Database, fetch


        async def open_db(url: str):
            engine = create_async_engine(url, pool_pre_ping=True)
            return await Database.connect(engine)


        async def open_api():
            client = httpx.AsyncClient()
            return await Api.create(client)


        async def count(url: str):
            engine = create_async_engine(url, pool_pre_ping=True)  # PBK401
            return await fetch(engine)
        """,
        codes={"PBK401", "PBK404"},
    )


def test_app_state_attributes_take_the_kind_assigned_in_the_module():
    assert_marked(
        """
        from contextlib import asynccontextmanager

        import httpx
        import redis.asyncio as redis
        from fastapi import FastAPI, Request


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            app.state.redis = redis.from_url("redis://cache")  # PBK403
            app.state.http = httpx.AsyncClient()  # PBK403 (its close is not awaited)
            app.state.other = redis.from_url("redis://other")  # PBK403 (closed after a bare yield)
            app.state.other = object()
            yield
            await app.state.redis.close()  # PBK407
            await app.state.other.close()  # assigned two kinds: unknown
            app.state.http.aclose()  # PBK409


        app = FastAPI(lifespan=lifespan)


        @app.get("/flush")
        async def flush(request: Request) -> None:
            await request.app.state.redis.close()  # PBK407
            await request.app.state.unknown.close()
        """,
        codes={"PBK403", "PBK407", "PBK409"},
    )


def test_app_state_kinds_from_a_startup_hook_in_another_function():
    assert_marked(
        """
        import redis.asyncio as aioredis
        from fastapi import FastAPI


        async def close_redis(app: FastAPI) -> None:
            if getattr(app.state, "redis", None):
                await app.state.redis.close()  # PBK407
                app.state.redis = None


        async def init_redis(app: FastAPI) -> None:
            app.state.redis = aioredis.from_url("redis://cache")
        """,
        codes={"PBK407"},
    )


def test_pbk401_clients_on_a_shared_pool_are_cheap():
    assert_marked(
        """
        from typing import Annotated

        import aiohttp
        import redis.asyncio as redis
        from fastapi import Depends, FastAPI

        app = FastAPI()
        POOL = redis.ConnectionPool.from_url("redis://cache")


        def get_redis():
            return redis.Redis(connection_pool=POOL)


        def get_other():
            return redis.Redis(host="cache")  # PBK401


        @app.get("/")
        async def root(r: Annotated[redis.Redis, Depends(get_redis)], o: Annotated[redis.Redis, Depends(get_other)]) -> None:
            async with aiohttp.ClientSession(connector=app.state.connector, connector_owner=False) as s:
                await s.get("https://x.example")
        """,
        codes={"PBK401"},
    )


def test_pbk403_a_shutdown_helper_that_receives_the_app_may_close_its_state():
    assert_marked(
        """
        from contextlib import asynccontextmanager

        import httpx
        from fastapi import FastAPI

        from myapp.resources import close_all


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            app.state.http = httpx.AsyncClient()
            client = httpx.AsyncClient()  # PBK403 a local: the helper cannot reach it
            try:
                yield
            finally:
                await close_all(app)


        app = FastAPI(lifespan=lifespan)
        """,
        codes={"PBK403"},
    )
