# 406-F2: aiohttp connector and request methods (ssl=False, verify_ssl=False)
import aiohttp


async def go(url: str) -> None:
    conn = aiohttp.TCPConnector(verify_ssl=False)  # PBK406
    async with aiohttp.ClientSession(connector=conn) as s:
        async with s.get(url, ssl=False) as r:  # PBK406
            await r.read()
        async with s.request("POST", url, verify_ssl=False) as r:  # PBK406
            await r.read()
        async with s.ws_connect(url, ssl=False) as ws:  # PBK406
            await ws.close()
