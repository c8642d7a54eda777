# 404-N3: sync httpx.Client is out of scope for this rule
import httpx


def f(url: str) -> int:
    c = httpx.Client()
    return c.get(url).status_code
