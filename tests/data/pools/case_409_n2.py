# 409-N2: stored and awaited later in the same function
import httpx


async def f() -> None:
    client = httpx.AsyncClient()
    closing = client.aclose()
    await closing
