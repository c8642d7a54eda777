# 404-N4: default argument value belongs to the enclosing (module) scope: PBK405, not PBK404
import aiohttp


async def f(url: str, s: aiohttp.ClientSession = aiohttp.ClientSession()) -> int:  # PBK405
    async with s.get(url) as r:
        return r.status
