"""An async service full of anti-patterns: `pbk check examples/bad_app` flags them.

Every flagged line carries a comment naming the rule; the test suite checks
that pbk reports exactly those lines.
"""

import asyncio
import time


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
