# 401-F2: APIRouter path operation, aiohttp, redis, asyncpg, ConnectionPool
import aiohttp
import asyncpg
import redis.asyncio as aioredis
from fastapi import APIRouter

router = APIRouter()


@router.post("/b")
async def b() -> None:
    async with aiohttp.ClientSession() as s:  # PBK401
        await s.get("https://x.example")
    r = aioredis.from_url("redis://cache")  # PBK401
    await r.aclose()
    r2 = aioredis.Redis(connection_pool=aioredis.ConnectionPool(max_connections=10))  # PBK401
    await r2.aclose()
    pool = await asyncpg.create_pool("postgresql://db/app")  # PBK401
    await pool.close()
