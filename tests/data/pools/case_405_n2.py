# 405-N2: httpx.AsyncClient at module level is fine (httpx needs no running loop) and
# a project's own ClientSession class is not aiohttp's
import httpx

from myapp.http import ClientSession

client = httpx.AsyncClient()
mine = ClientSession()
