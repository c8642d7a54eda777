"""The same service written correctly: `pbk check examples/clean_app` is silent."""

import asyncio


async def send_welcome_mail(user_id: int) -> None:
    await asyncio.sleep(0.1)


async def register(user_id: int, tg: asyncio.TaskGroup) -> None:
    await asyncio.sleep(0.2)
    tg.create_task(send_welcome_mail(user_id))


async def worker(queue: asyncio.Queue) -> None:
    async with asyncio.TaskGroup() as tg:
        while True:
            user_id = await queue.get()
            await register(user_id, tg)
