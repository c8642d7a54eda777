# 401-N4: HTTP clients / redis in a plain (non-route, non-dependency) function are not PBK401
import httpx
import redis.asyncio as aioredis


async def ping(url: str) -> int:
    async with httpx.AsyncClient() as client:
        r = await client.get(url)
    cache = aioredis.Redis()
    await cache.aclose()
    return r.status_code
