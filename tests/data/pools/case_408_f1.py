# 408-F1: aliases, keyword forms
import aiohttp as ah
import httpx
from httpx import Limits as L


async def crawl() -> None:
    async with ah.ClientSession(connector=ah.TCPConnector(limit=0)) as s:  # PBK408
        await s.get("https://x.example")


LIMITS = L(max_connections=None)  # PBK408
LIMITS2 = httpx.Limits(max_keepalive_connections=5, max_connections=None)  # PBK408
