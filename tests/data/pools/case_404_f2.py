# 404-F2: client only used inline, never bound
import httpx


async def f(url: str) -> int:
    return (await httpx.AsyncClient().get(url)).status_code  # PBK404
