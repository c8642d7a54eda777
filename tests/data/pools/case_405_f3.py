# 405-F3: explicit loop= still flagged (binds to the wrong loop)
import asyncio

import aiohttp

loop = asyncio.new_event_loop()
session = aiohttp.ClientSession(loop=loop)  # PBK405
