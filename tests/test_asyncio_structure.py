"""PBK101, PBK102, PBK109 to PBK115: unit cases beyond the doc examples."""

from __future__ import annotations

from helpers import assert_marked, findings

# -- PBK101 ------------------------------------------------------------------


def test_pbk101_forms():
    assert_marked(
        """
        import asyncio
        import asyncio as aio
        from asyncio import gather as g

        async def a():
            return 1

        async def main():
            await asyncio.gather(a(), a())  # PBK101
            await aio.gather(*[a() for _ in range(3)])  # PBK101
            await g(a(), a(), return_exceptions=False)  # PBK101
            results = await asyncio.gather(  # PBK101 reported where the call starts
                a(),
                a(),
            )
            return results

        def start():
            return asyncio.gather(a(), a())  # PBK101 sync code returning the future

        class Service:
            async def run(self):
                return await asyncio.gather(self.a(), self.b())  # PBK101
        """
    )


def test_pbk101_near_misses():
    assert_marked(
        """
        import asyncio
        from mylib import gather as lib_gather

        def my_gather(*aws):
            return aws

        async def main(opts, flag):
            await asyncio.gather(a(), a(), return_exceptions=True)
            await asyncio.gather(a(), return_exceptions=flag)  # not a literal: cannot tell
            await asyncio.gather(a(), **opts)  # may carry return_exceptions
            await lib_gather(1, 2)
            gather = my_gather
            return gather(1, 2)
        """
    )


def test_pbk101_pbk102_silent_below_python_311():
    source = """
        import asyncio

        async def main():
            await asyncio.gather(a(), a())
            return await asyncio.wait_for(a(), 1)
        """
    assert_marked(source, min_python=(3, 10))
    assert findings(source, min_python=(3, 11)) == [(5, "PBK101"), (6, "PBK102")]
    assert findings(source, min_python=(3, 13)) == [(5, "PBK101"), (6, "PBK102")]


# -- PBK102 ------------------------------------------------------------------


def test_pbk102_forms_and_near_misses():
    assert_marked(
        """
        import asyncio
        import asyncio as aio
        from asyncio import wait_for as wf
        from mylib import wait_for

        async def main():
            x = await aio.wait_for(a(), timeout=1)  # PBK102
            y = await wf(a(), None)  # PBK102
            async with asyncio.timeout(1):
                await a()
            await asyncio.wait([asyncio.ensure_future(a())], timeout=1)
            await wait_for(1, 2)
            return x, y
        """
    )


# -- PBK109 ------------------------------------------------------------------


def test_pbk109_forms():
    assert_marked(
        """
        import asyncio
        import asyncio as aio
        from asyncio import run as arun

        async def c():
            return 1

        async def f():
            aio.run(c())  # PBK109
            arun(c())  # PBK109
            loop = asyncio.get_running_loop()
            loop.run_until_complete(c())  # PBK109
            loop.run_forever()  # PBK109
            asyncio.new_event_loop().run_until_complete(c())  # PBK109
            return [asyncio.run(c()) for _ in range(2)]  # PBK109

        class Worker:
            def __init__(self):
                self.loop = asyncio.new_event_loop()

            async def step(self):
                return self.loop.run_until_complete(c())  # PBK109
        """
    )


def test_pbk109_sync_code_is_fine():
    assert_marked(
        """
        import asyncio

        async def main():
            await asyncio.sleep(0)

        def sync_entry():
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return asyncio.run(main())
            raise RuntimeError("use await")

        def run_twice():
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(main())
                loop.run_forever()
            finally:
                loop.close()

        async def f(runner):
            def helper():
                return asyncio.run(main())  # nested sync def: runs in a thread below
            runner.run_until_complete(1)  # unknown receiver
            callback = lambda: asyncio.run(main())
            return await asyncio.to_thread(helper), callback

        if __name__ == "__main__":
            asyncio.run(main())
        """
    )


# -- PBK110 ------------------------------------------------------------------


def test_pbk110_forms():
    assert_marked(
        """
        import asyncio
        import asyncio as aio
        from asyncio import get_event_loop as gel

        loop = asyncio.get_event_loop()  # PBK110

        async def f():
            current = asyncio.get_event_loop()  # PBK110
            current.call_soon(print)

        def g():
            aio.get_event_loop().close()  # PBK110
            gel()  # PBK110
            asyncio.events.get_event_loop()  # PBK110

        class Client:
            def __init__(self):
                self._loop = asyncio.get_event_loop()  # PBK110
        """
    )


def test_pbk110_suggests_by_context():
    import textwrap

    from python_backend_kit.catalog import bundled_rules
    from python_backend_kit.engine import Settings, check_source
    from python_backend_kit.messages import message_for

    rules = bundled_rules()
    source = textwrap.dedent(
        """
        import asyncio

        async def f():
            return asyncio.get_event_loop()

        def g():
            return asyncio.get_event_loop()
        """
    )
    found = check_source(source, Settings(codes=frozenset({"PBK110"})))
    texts = [message_for(f, rules) for f in found]
    assert texts[0].endswith("use asyncio.get_running_loop()")
    assert texts[1].endswith("else asyncio.run() or asyncio.Runner")


def test_pbk110_near_misses():
    assert_marked(
        """
        import asyncio

        def get_event_loop():
            return None

        class Framework:
            def get_event_loop(self):
                return None

        async def f(fw):
            asyncio.get_running_loop().call_soon(print)
            get_event_loop()
            fw.get_event_loop()
        """
    )


# -- PBK111 ------------------------------------------------------------------


def test_pbk111_forms_and_near_misses():
    assert_marked(
        """
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        POOL = ThreadPoolExecutor(max_workers=4)

        def work(x=1):
            return x

        async def f(thing):
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, work)  # PBK111
            await asyncio.get_running_loop().run_in_executor(None, work, 1)  # PBK111
            await loop.run_in_executor(executor=None, func=work)  # PBK111
            await loop.run_in_executor(POOL, work)
            await asyncio.to_thread(work)
            await thing.run_in_executor(None, work)  # unknown receiver

        class Service:
            def __init__(self):
                self._loop = asyncio.new_event_loop()

            async def go(self):
                return await self._loop.run_in_executor(None, work)  # PBK111
        """
    )


# -- PBK112 ------------------------------------------------------------------


def test_pbk112_forms():
    assert_marked(
        """
        import asyncio as aio
        from asyncio import TaskGroup as TG, ensure_future

        async def w():
            await aio.sleep(0)

        async def f(n):
            out = []
            async with TG() as group:
                for _ in range(n):
                    if n > 1:
                        out.append(ensure_future(w()))  # PBK112
                    out.append(aio.create_task(w()))  # PBK112
                tasks = [aio.create_task(w()) for _ in range(3)]  # PBK112
                aio.get_running_loop().create_task(w())  # PBK104, PBK112
                group.create_task(w())
            return out, tasks

        class Service:
            async def run(self):
                async with aio.TaskGroup():
                    self.t = aio.create_task(w())  # PBK112
        """
    )


def test_pbk112_with_pbk104_when_discarded():
    assert_marked(
        """
        import asyncio

        async def w():
            await asyncio.sleep(0)

        async def f():
            async with asyncio.TaskGroup() as tg:
                asyncio.create_task(w())  # PBK104, PBK112
                kept = asyncio.create_task(w())  # PBK112
                tg.create_task(w())
            return kept
        """
    )


def test_pbk112_near_misses():
    assert_marked(
        """
        import asyncio
        import anyio

        async def w():
            await asyncio.sleep(0)

        async def f():
            keep = set()
            async with asyncio.TaskGroup() as tg:
                tg.create_task(w())

                async def later():
                    t = asyncio.create_task(w())  # nested function: runs when called
                    keep.add(t)

                tg.create_task(later())
                tg.create_task(asyncio.sleep(1))
            t = asyncio.create_task(w())  # after the block
            async with anyio.create_task_group() as tg2:
                tg2.start_soon(w)
            async with asyncio.timeout(1):
                u = asyncio.create_task(w())
            return await t, await u
        """
    )


# -- PBK113 ------------------------------------------------------------------


def test_pbk113_forms():
    assert_marked(
        """
        import asyncio
        import asyncio as aio
        from asyncio import timeout_at as deadline

        async def gen():
            async with asyncio.timeout(1):
                yield 1  # PBK113

        async def gen2(when):
            async with deadline(when):
                for i in range(3):
                    if i:
                        yield i  # PBK113
            async with aio.TaskGroup() as tg:
                tg.create_task(aio.sleep(0))
                async with aio.Lock():
                    yield 0  # PBK113 still inside the TaskGroup
            async with asyncio.timeout(1):
                x = yield 1  # PBK113 yield as an expression
                print(x)

        class Stream:
            async def __aiter__(self):
                async with asyncio.timeout(5):
                    yield 1  # PBK113
        """
    )


def test_pbk113_context_managers_and_near_misses():
    assert_marked(
        """
        import asyncio
        import contextlib
        from contextlib import asynccontextmanager as acm

        import pytest

        async def gen():
            for i in range(3):
                async with asyncio.timeout(1):
                    await asyncio.sleep(0)
                yield i

        @contextlib.asynccontextmanager
        async def scope():
            async with asyncio.TaskGroup() as tg:
                tg.create_task(asyncio.sleep(0))
                yield tg

        @acm
        async def deadline():
            async with asyncio.timeout(5):
                yield

        @pytest.fixture
        async def fixture():
            async with asyncio.timeout(5):
                yield 1

        async def locked():
            async with asyncio.Lock():
                yield 1

        async def not_a_generator():
            async with asyncio.timeout(1):
                return 1

        async def outer():
            async with asyncio.timeout(1):
                def inner():
                    yield 1  # a separate sync generator
                await asyncio.sleep(0)
                print(list(inner()))
            yield 2

        def sync_gen():
            with contextlib.suppress(KeyError):
                yield 1
        """
    )


def test_pbk113_fastapi_dependencies_and_lifespans_are_exempt():
    assert_marked(
        """
        import asyncio
        from typing import Annotated

        from fastapi import Depends, FastAPI

        async def lifespan_body(app):
            async with asyncio.TaskGroup() as tg:
                tg.create_task(asyncio.sleep(0))
                yield

        app = FastAPI(lifespan=lifespan_body)

        @app.get("/")
        async def index(budget: Annotated[int, Depends(get_budget)]) -> int:
            return budget

        async def get_budget():  # named in Depends() above its definition
            async with asyncio.timeout(5):
                yield 5

        async def not_a_dependency():
            async with asyncio.timeout(5):
                yield 5  # PBK113
        """
    )


# -- PBK114 ------------------------------------------------------------------


def test_pbk114_forms():
    assert_marked(
        """
        import asyncio
        import asyncio as aio
        from asyncio import BoundedSemaphore as BS

        async def f():
            sem = asyncio.Semaphore(3)  # PBK114
            async with sem:
                await asyncio.sleep(0)

        async def g():
            sem: asyncio.Semaphore = BS(2)  # PBK114
            await sem.acquire()
            try:
                await aio.sleep(0)
            finally:
                sem.release()

        async def h():
            async with asyncio.Semaphore(3):  # PBK114 created and acquired at once
                await asyncio.sleep(0)

        class Client:
            async def call(self):
                limit = asyncio.Semaphore(1)  # PBK114
                async with limit:
                    return [x async for x in self.rows()]
        """
    )


def test_pbk114_near_misses():
    assert_marked(
        """
        import asyncio

        SEM = asyncio.Semaphore(3)

        async def f():
            async with SEM:
                await asyncio.sleep(0)

        class Client:
            def __init__(self):
                self.sem = asyncio.Semaphore(3)
                self.locks = {}

            async def call(self, key):
                async with self.sem:
                    await asyncio.sleep(0)
                sem = self.locks.setdefault(key, asyncio.Semaphore(1))
                async with sem:
                    await asyncio.sleep(0)
                fresh = asyncio.Semaphore(1)
                self.locks[key] = fresh  # stored: shared with later calls
                async with fresh:
                    await asyncio.sleep(0)

        async def one(sem):
            async with sem:
                await asyncio.sleep(0)

        async def many(n):
            sem = asyncio.Semaphore(3)
            async with asyncio.TaskGroup() as tg:
                for _ in range(n):
                    tg.create_task(one(sem))

        async def many_closure(n):
            sem = asyncio.Semaphore(3)

            async def one(i):
                async with sem:
                    return i

            tasks = [asyncio.create_task(one(i)) for i in range(n)]
            return [await t for t in tasks]

        async def spawner_acquires_itself(urls):
            sem = asyncio.Semaphore(5)
            async with asyncio.TaskGroup() as tg:
                for url in urls:
                    async with sem:
                        tg.create_task(one(url))

        async def passes_it_on(worker):
            sem = asyncio.Semaphore(2)
            async with sem:
                await worker(sem)

        def make_limit():
            return asyncio.Semaphore(3)

        async def created_not_acquired():
            sem = asyncio.Semaphore(3)
            return sem
        """
    )


# -- PBK115 ------------------------------------------------------------------


def test_pbk115_forms():
    assert_marked(
        """
        import asyncio
        from asyncio import CancelledError as Cancel

        async def f(stop):
            if stop:
                raise asyncio.CancelledError  # PBK115
            raise Cancel("stop")  # PBK115

        def sync_helper():
            raise asyncio.exceptions.CancelledError() from None  # PBK115

        class Worker:
            async def run(self):
                raise asyncio.CancelledError()  # PBK115
        """
    )


def test_pbk115_near_misses():
    assert_marked(
        """
        import asyncio
        import concurrent.futures

        class CancelledError(Exception):
            pass

        async def f(t):
            try:
                await t
            except asyncio.CancelledError:
                print("cleanup")
                raise
            try:
                await t
            except asyncio.CancelledError as exc:
                raise exc
            t.cancel()

        def g():
            raise concurrent.futures.CancelledError()

        def h():
            raise CancelledError()
        """
    )


def test_pbk115_redelivering_a_cancellation_is_fine():
    assert_marked(
        """
        import asyncio

        async def shielded(task):
            cancelled = False
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                cancelled = True
            if cancelled:
                raise asyncio.CancelledError  # re-delivered after cleanup
            return task.result()

        class Runner:
            async def run(self):
                if self.is_cancelled():
                    raise asyncio.CancelledError("cancelled by the runner")
                if self.job.cancel_requested and self.ready:
                    raise asyncio.CancelledError()

        async def drain(cleanup):
            try:
                yield 1
            finally:
                if await finish(cleanup):
                    raise asyncio.CancelledError

        async def stop(queue):
            if queue.empty():
                raise asyncio.CancelledError("queue closed")  # PBK115
        """
    )
