# 404-F3: nested sync def inside async def still creates a client in a function
import aiohttp


async def outer() -> None:
    def make():
        s = aiohttp.ClientSession()  # PBK404
        print(s)

    make()
