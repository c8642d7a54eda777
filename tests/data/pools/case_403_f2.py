# 403-F2: closed after a bare yield (no try/finally)
from contextlib import asynccontextmanager

import asyncpg
import redis.asyncio as aioredis


@asynccontextmanager
async def my_lifespan(app):
    pool = await asyncpg.create_pool("postgresql://db/app")  # PBK403
    app.state.redis = aioredis.from_url("redis://cache")  # PBK403
    app.state.pool = pool
    yield
    await pool.close()
    await app.state.redis.aclose()
