# 404-N2: module-level client is not "created in a function" (httpx does not need a loop)
import httpx

client = httpx.AsyncClient()
