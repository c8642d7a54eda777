# 403-F1: never closed; aliases; lifespan recognised by name + @asynccontextmanager
from contextlib import asynccontextmanager as acm

import httpx as hx
from sqlalchemy.ext.asyncio import create_async_engine as cae


@acm
async def lifespan(app):
    app.state.engine = cae("postgresql+asyncpg://db/app", pool_pre_ping=True)  # PBK403
    app.state.http = hx.AsyncClient()  # PBK403
    yield
