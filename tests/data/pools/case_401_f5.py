# 401-F5: plain helper that creates and disposes an engine on every call
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


async def count_users(url: str) -> int:
    engine = create_async_engine(url, pool_pre_ping=True)  # PBK401
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text("select count(*) from users"))
    finally:
        await engine.dispose()
