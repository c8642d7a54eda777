"""Background jobs written with every asyncio anti-pattern pbk knows.

Each flagged line ends with a comment naming the rule; read
rules/<CODE>-*.md for why it fails and what to write instead.
"""

import asyncio
import hashlib
import subprocess
import time
from pathlib import Path

import requests

REPORTS = Path("reports")


async def send_welcome_mail(user_id: int) -> None:
    await asyncio.sleep(0.1)


async def register(user_id: int) -> None:
    time.sleep(0.2)  # PBK105 blocks every request in the worker
    asyncio.create_task(send_welcome_mail(user_id))  # PBK104 the task can be collected mid-run


async def worker(queue: asyncio.Queue) -> None:
    while True:
        try:
            user_id = await queue.get()
            await register(user_id)
        except asyncio.CancelledError:  # PBK103 shutdown never stops this loop
            continue


async def fetch_avatar(url: str) -> bytes:
    return requests.get(url, timeout=5).content  # PBK106 the loop waits for the network


async def git_revision() -> str:
    return subprocess.check_output(["git", "rev-parse", "HEAD"]).decode()  # PBK107 the loop waits for git


async def save_report(name: str, body: str) -> None:
    with open(REPORTS / name, "w", encoding="utf-8") as fh:  # PBK108 the loop waits for the disk
        fh.write(body)


async def render(n: int) -> int:
    await asyncio.sleep(0)
    return n


async def render_now(n: int) -> int:
    return asyncio.run(render(n))  # PBK109 RuntimeError: a loop is already running


async def schedule_cleanup(delay: float) -> None:
    loop = asyncio.get_event_loop()  # PBK110 use get_running_loop()
    loop.call_later(delay, print, "cleanup")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def digest_async(data: bytes) -> str:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, digest, data)  # PBK111 context variables are lost


async def render_pair() -> list[int]:
    return await asyncio.gather(render(1), render(2))  # PBK101 a failure leaves the other running


async def render_with_deadline() -> int:
    return await asyncio.wait_for(render(3), 1.0)  # PBK102


async def refresh_all(ids: list[int]) -> None:
    async with asyncio.TaskGroup() as tg:
        for item_id in ids:
            tg.create_task(render(item_id))
        audit = asyncio.create_task(render(0))  # PBK112 the group neither awaits nor cancels it
    await audit


async def rows(pages: int):
    async with asyncio.timeout(5):
        for n in range(pages):
            row = await render(n)
            yield row  # PBK113 the deadline fires in the consumer's code


async def call_api(item_id: int) -> int:
    limit = asyncio.Semaphore(5)  # PBK114 a fresh semaphore per call limits nothing
    async with limit:
        return await render(item_id)


async def consume(queue: asyncio.Queue) -> None:
    while True:
        item = await queue.get()
        if item is None:
            raise asyncio.CancelledError  # PBK115 looks cancelled, not failed: siblings keep running
        await render(item)
