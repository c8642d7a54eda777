# 401-F6: method of a class (not __init__) that builds an asyncpg pool and keeps it local
import asyncpg


class Repo:
    async def fetch(self, dsn: str) -> list:
        pool = await asyncpg.create_pool(dsn)  # PBK401
        try:
            return await pool.fetch("select 1")
        finally:
            await pool.close()
