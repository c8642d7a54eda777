# 407-F2: annotated parameter
from redis.asyncio import Redis


async def shutdown(r: Redis) -> None:
    await r.close()  # PBK407
