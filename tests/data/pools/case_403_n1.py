# 403-N1: finally, async with, AsyncExitStack (enter_async_context, push_async_callback)
from contextlib import AsyncExitStack, asynccontextmanager

import aiohttp
import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine


@asynccontextmanager
async def lifespan(app: FastAPI):
    engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
    connector = aiohttp.TCPConnector(limit=50)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(engine.dispose)
        app.state.http = await stack.enter_async_context(httpx.AsyncClient())
        app.state.aio = await stack.enter_async_context(aiohttp.ClientSession(connector=connector))
        async with asyncpg.create_pool("postgresql://db/app") as pool:
            app.state.pool = pool
            app.state.engine = engine
            yield


app = FastAPI(lifespan=lifespan)
