# 409-F3: annotated parameters (injected-repository shape)
import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine


async def stop(engine: AsyncEngine, pool: asyncpg.Pool) -> None:
    engine.dispose()  # PBK409
    pool.close()  # PBK409
