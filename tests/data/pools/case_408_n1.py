# 408-N1
import aiohttp
import httpx


async def crawl() -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50, limit_per_host=0)) as s:
        await s.get("https://x.example")
    async with httpx.AsyncClient() as c:
        await c.get("https://x.example")


LIMITS = httpx.Limits(max_connections=50)
LIMITS2 = httpx.Limits(max_connections=100, max_keepalive_connections=None)
