# 405-N1: inside coroutine, lifespan, sync function body (runs when called), None defaults
from contextlib import asynccontextmanager

import aiohttp
from fastapi import FastAPI

session: aiohttp.ClientSession | None = None


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20)) as s:
        app.state.http = s
        yield


app = FastAPI(lifespan=lifespan)


def make_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()


async def fetch(url: str, s: aiohttp.ClientSession | None = None) -> int:
    if s is None:
        async with aiohttp.ClientSession() as own:
            async with own.get(url) as r:
                return r.status
    async with s.get(url) as r:
        return r.status
