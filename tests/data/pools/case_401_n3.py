# 401-N3: factories that return / yield the object (not dependencies), __init__, cache
import functools

import asyncpg
from sqlalchemy.ext.asyncio import create_async_engine

_engines: dict = {}


def make_engine(url: str):
    return create_async_engine(url, pool_pre_ping=True)


async def open_pool(dsn: str):
    pool = await asyncpg.create_pool(dsn)
    yield pool
    await pool.close()


class Db:
    def __init__(self, url: str) -> None:
        self.engine = create_async_engine(url, pool_pre_ping=True)

    async def connect_pool(self, dsn: str) -> None:
        self.pool = await asyncpg.create_pool(dsn)


def engine_for(tenant: str):
    if tenant not in _engines:
        _engines[tenant] = create_async_engine(f"postgresql+asyncpg://db/{tenant}", pool_pre_ping=True)
    return _engines[tenant]


@functools.cache
def cached_engine(url: str):
    return create_async_engine(url, pool_pre_ping=True)
