"""Pools and HTTP clients, written with the lifetime and configuration
anti-patterns pbk knows."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import asyncpg
import httpx
import redis.asyncio as redis
from fastapi import APIRouter, FastAPI

router = APIRouter()
shared = aiohttp.ClientSession()  # PBK405 RuntimeError: no running event loop at import
UNBOUNDED = httpx.Limits(max_connections=None)  # PBK408 no upper bound on sockets


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool("postgresql://app@db/app")  # PBK403 never closed at shutdown
    app.state.pool = pool
    yield


@router.get("/weather")
async def weather(city: str) -> dict:
    async with httpx.AsyncClient(timeout=5) as client:  # PBK401 a new connection pool per request
        response = await client.get("https://weather.example.com", params={"q": city})
    return response.json()


async def fetch_status(url: str) -> int:
    client = httpx.AsyncClient(timeout=5)  # PBK404 never closed: sockets leak
    response = await client.get(url)
    return response.status_code


async def fetch_internal(url: str) -> bytes:
    async with httpx.AsyncClient(verify=False, timeout=5) as client:  # PBK406 anyone on the path reads the traffic
        return (await client.get(url)).content


async def cache_get(key: str) -> bytes | None:
    r = redis.from_url("redis://cache")
    try:
        return await r.get(key)
    finally:
        await r.close()  # PBK407 deprecated since redis-py 5.0.1: use aclose()


class Upstream:
    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self.session = aiohttp.ClientSession()

    async def stop(self) -> None:
        self.session.close()  # PBK409 never awaited: the session stays open
