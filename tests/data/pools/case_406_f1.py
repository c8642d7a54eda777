# 406-F1: httpx client classes and module functions, aliases
import httpx as hx
from httpx import AsyncClient as AC


def sync_call(url: str) -> int:
    with hx.Client(verify=False) as c:  # PBK406
        return c.get(url).status_code


async def async_call(url: str) -> int:
    async with AC(verify=False) as c:  # PBK406
        return (await c.get(url)).status_code


def oneshot(url: str) -> int:
    return hx.get(url, verify=False).status_code  # PBK406
