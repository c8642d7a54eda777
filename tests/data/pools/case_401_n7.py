# 401-PROPOSED-N7
import asyncio

from sqlalchemy.ext.asyncio import create_async_engine


async def main() -> None:
    engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
