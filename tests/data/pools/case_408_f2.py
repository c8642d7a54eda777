# 408-PROPOSED-F2
import aiohttp
import httpx


async def crawl() -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=None)) as s:  # PBK408
        await s.get("https://x.example")


LIMITS = httpx.Limits()  # PBK408
LIMITS2 = httpx.Limits(max_keepalive_connections=10)  # PBK408
