# 401-N1: module-level engine, clients built and closed in the lifespan
from contextlib import asynccontextmanager

import httpx
import redis.asyncio as aioredis
from fastapi import FastAPI, Request
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient()
    app.state.redis = aioredis.from_url("redis://cache")
    try:
        yield
    finally:
        await app.state.http.aclose()
        await app.state.redis.aclose()
        await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/")
async def root(request: Request) -> int:
    return (await request.app.state.http.get("https://x.example")).status_code
