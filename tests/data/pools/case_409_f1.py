# 409-F1: every resource kind, aliases, annotated parameters, in an async function
import aiohttp
import asyncpg
import httpx as hx
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine


async def shutdown(
    s: aiohttp.ClientSession,
    c: hx.AsyncClient,
    r: aioredis.Redis,
    e: AsyncEngine,
    pool: asyncpg.Pool,
    conn: asyncpg.Connection,
) -> None:
    s.close()  # PBK409
    c.aclose()  # PBK409
    r.aclose()  # PBK409
    e.dispose()  # PBK409
    pool.close()  # PBK409
    conn.close()  # PBK409
