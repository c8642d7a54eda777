"""Suggested examples/bad_app/asyncio_app.py (owned by the lead): one line per default PBK1xx rule.

Checked on branch `asyncio`: with ALL codes it raises exactly the marked lines
(PBK101/PBK102/PBK111 are opinionated and not used here).
"""

import asyncio
import shutil
import subprocess

import requests


async def fetch_avatar(url: str) -> bytes:
    return requests.get(url, timeout=5).content  # PBK106 a sync HTTP call on the loop


async def thumbnail(src: str, dst: str) -> None:
    subprocess.run(["convert", src, dst], check=True)  # PBK107 waits for the child on the loop
    shutil.copy(dst, "/srv/cache/")  # PBK108 file I/O on the loop


async def refresh() -> int:
    await asyncio.sleep(0)
    return 1


async def handler() -> int:
    loop = asyncio.get_event_loop()  # PBK110 use get_running_loop()
    loop.call_soon(print, "refreshing")
    return asyncio.run(refresh())  # PBK109 RuntimeError: a loop is already running


async def refresh_all(ids: list[int]) -> None:
    async with asyncio.TaskGroup() as tg:
        tg.create_task(refresh())
        audit = asyncio.create_task(refresh())  # PBK112 the group does not own it
    await audit


async def rows():
    async with asyncio.timeout(5):
        for i in range(3):
            yield i  # PBK113 the deadline fires in the consumer's code


async def call_api(item_id: int) -> int:
    limit = asyncio.Semaphore(5)  # PBK114 a fresh semaphore per call limits nothing
    async with limit:
        return await refresh()


async def consume(queue: asyncio.Queue) -> None:
    if await queue.get() is None:
        raise asyncio.CancelledError("queue closed")  # PBK115 looks cancelled, not failed
