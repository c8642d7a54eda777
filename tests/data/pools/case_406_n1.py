# 406-N1: contexts, True, paths, non-HTTP-client ssl=False, unknown receivers
import ssl

import aiohttp
import httpx

CTX = ssl.create_default_context(cafile="/etc/ssl/ca.pem")


async def ok(url: str, other) -> None:
    async with httpx.AsyncClient(verify=CTX) as c:
        await c.get(url)
    async with httpx.AsyncClient(verify=True) as c:
        await c.get(url)
    conn = aiohttp.TCPConnector(ssl=CTX)
    async with aiohttp.ClientSession(connector=conn) as s:
        async with s.get(url, ssl=True) as r:
            await r.read()
    await other.get(url, ssl=False)  # unknown receiver: not an aiohttp session
