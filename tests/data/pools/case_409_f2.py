# 409-F2: inside a lambda callback and a sync def (coroutine created and dropped)
import httpx


class Api:
    def __init__(self) -> None:
        self.http = httpx.AsyncClient()

    def close_later(self, loop) -> None:
        loop.call_soon(lambda: self.http.aclose())  # PBK409

    def close_sync(self) -> None:
        self.http.aclose()  # PBK409
