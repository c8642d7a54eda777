# 404-N1: async with, try/finally, returned, stored on self / app.state, closed later
import aiohttp
import httpx


async def a(url: str) -> int:
    async with httpx.AsyncClient() as c:
        return (await c.get(url)).status_code


async def b(url: str) -> int:
    s = aiohttp.ClientSession()
    try:
        async with s.get(url) as r:
            return r.status
    finally:
        await s.close()


async def c(url: str) -> int:
    client = httpx.AsyncClient()
    r = await client.get(url)
    await client.aclose()
    return r.status_code


def factory() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=5.0)


class Api:
    def __init__(self) -> None:
        self.http = httpx.AsyncClient()

    async def start(self) -> None:
        self.aio = aiohttp.ClientSession()


async def install(app) -> None:
    app.state.http = httpx.AsyncClient()
