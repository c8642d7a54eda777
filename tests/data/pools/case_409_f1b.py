# 409-F1b: receivers bound in the class (self attrs), creation allowed by PBK401 (__init__ /
# attribute assignment) and PBK404 (stored on self)
import asyncpg
import httpx
from sqlalchemy.ext.asyncio import create_async_engine as cae


class Resources:
    def __init__(self, url: str) -> None:
        self.engine = cae(url, pool_pre_ping=True)
        self.http = httpx.AsyncClient()

    async def start(self, dsn: str) -> None:
        self.pool = await asyncpg.create_pool(dsn)

    async def stop(self) -> None:
        self.http.aclose()  # PBK409
        self.engine.dispose()  # PBK409
        self.pool.close()  # PBK409
