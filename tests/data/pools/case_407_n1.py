# 407-N1: aclose, sync redis client, asyncpg / aiohttp close, unknown receivers
import aiohttp
import redis
import redis.asyncio as aioredis


async def ok(x) -> None:
    r = aioredis.Redis()
    await r.aclose()
    sync = redis.Redis()
    sync.close()
    async with aiohttp.ClientSession() as s:
        await s.close()
    await x.close()
