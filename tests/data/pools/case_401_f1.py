# 401-F1: path operation, import aliases
import httpx as hx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine as mk_engine

app = FastAPI()


@app.get("/a")
async def a() -> int:
    engine = mk_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)  # PBK401
    await engine.dispose()
    async with hx.AsyncClient() as client:  # PBK401
        r = await client.get("https://x.example")
    return r.status_code
