# 405-F2: class body, default argument (function and lambda), method default
import aiohttp


class Client:
    session = aiohttp.ClientSession()  # PBK405

    def get(self, url: str, conn=aiohttp.TCPConnector()):  # PBK405
        return url, conn


fetch = lambda url, s=aiohttp.ClientSession(): (url, s)  # PBK405
