# 406-N2: asyncio/asyncpg/redis ssl=False is about plain connections, not verification
import asyncio

import asyncpg


async def db() -> None:
    conn = await asyncpg.connect("postgresql://localhost/app", ssl=False)
    await conn.close()
    reader, writer = await asyncio.open_connection("localhost", 80, ssl=False)
    writer.close()
