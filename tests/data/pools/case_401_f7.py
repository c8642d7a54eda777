# 401-F7: module import style `import sqlalchemy.ext.asyncio as sa`
import sqlalchemy.ext.asyncio as sa


async def job(url: str) -> None:
    engine = sa.create_async_engine(url, pool_pre_ping=True)  # PBK401
    await engine.dispose()
