# 407-F1: Redis(), from_url (module function and classmethod), from-import alias, self attr
import redis.asyncio as aioredis
from redis.asyncio import Redis as R


async def a() -> None:
    r1 = aioredis.Redis()
    r2 = R.from_url("redis://cache")
    r3 = aioredis.from_url("redis://cache")
    await r1.close()  # PBK407
    await r2.close()  # PBK407
    await r3.close()  # PBK407


class Cache:
    def __init__(self) -> None:
        self.redis = aioredis.Redis()

    async def shutdown(self) -> None:
        await self.redis.close()  # PBK407
