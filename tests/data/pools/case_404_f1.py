# 404-F1: aliases; plain function; method; module function
import aiohttp as ah
from httpx import AsyncClient as HX


async def f(url: str) -> int:
    s = ah.ClientSession()  # PBK404
    async with s.get(url) as r:
        return r.status


class Svc:
    async def g(self, url: str) -> str:
        client = HX()  # PBK404
        return (await client.get(url)).text
