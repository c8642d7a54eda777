# 409-N1: awaited, wrapped (gather/shield/create_task/wait_for), returned from sync def,
# asyncpg Pool.terminate (sync), sync Engine.dispose, sync redis close
import asyncio

import asyncpg
import httpx
import redis
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import AsyncEngine


async def ok(engine: AsyncEngine, pool: asyncpg.Pool, client: httpx.AsyncClient) -> None:
    await engine.dispose()
    await asyncio.gather(pool.close(), client.aclose())
    await asyncio.shield(engine.dispose())
    await asyncio.wait_for(pool.close(), timeout=5)
    task = asyncio.create_task(client.aclose())
    await task
    pool.terminate()


def closer(client: httpx.AsyncClient):
    return client.aclose()


sync_engine = create_engine("postgresql://db/app", pool_pre_ping=True)
sync_engine.dispose()
redis.Redis().close()
