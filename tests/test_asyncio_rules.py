"""PBK1xx unit cases beyond the doc examples: aliases, nesting, near misses."""

from __future__ import annotations

import sys

import pytest
from helpers import assert_marked


# -- PBK105 ----------------------------------------------------------------

def test_pbk105_aliases_and_methods():
    assert_marked(
        """
        import time as t
        from time import sleep

        class Poller:
            async def poll(self):
                t.sleep(1)  # PBK105
                sleep(1)  # PBK105
                await self.other()
        """
    )


def test_pbk105_near_misses():
    assert_marked(
        """
        import asyncio
        import time
        from mylib import sleep

        def sync():
            time.sleep(1)

        async def f(clock):
            sleep(1)  # somebody else's sleep
            clock.sleep(1)  # unknown receiver
            await asyncio.to_thread(time.sleep, 1)
            run = lambda: time.sleep(1)
            def inner():
                time.sleep(1)
            await asyncio.sleep(1)

        class K:
            time.sleep(0)
        """
    )


def test_pbk105_locally_rebound_name_is_not_flagged():
    assert_marked(
        """
        import time

        async def f():
            time = FakeClock()
            time.sleep(1)
        """
    )


def test_pbk105_comprehension_in_async_function_is_async():
    assert_marked(
        """
        import time

        async def f(xs):
            return [time.sleep(x) for x in xs]  # PBK105
        """
    )


# -- PBK104 ----------------------------------------------------------------

def test_pbk104_forms():
    assert_marked(
        """
        import asyncio as aio
        from asyncio import ensure_future, create_task as spawn

        async def job(): ...

        async def f():
            aio.create_task(job())  # PBK104
            ensure_future(job())  # PBK104
            spawn(job())  # PBK104
            aio.get_running_loop().create_task(job())  # PBK104

        class Service:
            def __init__(self):
                self._loop = aio.new_event_loop()

            def start(self):
                self._loop.create_task(job())  # PBK104
                self._loop.call_soon(lambda: aio.create_task(job()))  # PBK104
        """
    )


def test_pbk104_near_misses():
    assert_marked(
        """
        import asyncio
        import anyio
        from myapp.util import create_task

        tasks = set()

        async def job(): ...

        async def f(loop, tg, nursery):
            task = asyncio.create_task(job())
            tasks.add(asyncio.create_task(job()))
            await asyncio.create_task(job())
            register(asyncio.create_task(job()))
            create_task(job())  # project helper
            loop.create_task(job())  # unknown receiver
            tg.create_task(job())  # a TaskGroup owns it
            nursery.start_soon(job)
            results = list(map(lambda x: asyncio.create_task(job()), range(3)))
            return asyncio.create_task(job())

        async def g():
            async with asyncio.TaskGroup() as tg:
                tg.create_task(job())
        """
    )


# -- PBK103 ----------------------------------------------------------------

def test_pbk103_catch_forms():
    assert_marked(
        """
        import asyncio
        from asyncio import CancelledError as Stop
        import contextlib as cl

        async def f():
            try:
                await g()
            except (ValueError, asyncio.CancelledError):  # PBK103
                pass
            try:
                await g()
            except Stop:  # PBK103
                return None
            try:
                await g()
            except:  # PBK103
                log()
            try:
                await g()
            except BaseException as exc:  # PBK103
                if exc:
                    raise
            with cl.suppress(asyncio.CancelledError):  # PBK103
                await g()
            with cl.suppress(BaseException):  # PBK103
                await g()
        """
    )


@pytest.mark.skipif(sys.version_info < (3, 11), reason="except* is Python 3.11+ syntax")
def test_pbk103_except_star():
    assert_marked(
        """
        import asyncio

        async def f():
            try:
                await g()
            except* asyncio.CancelledError:  # PBK103
                pass
        """
    )


def test_pbk103_reraise_on_every_path_is_fine():
    assert_marked(
        """
        import asyncio

        async def f():
            try:
                await g()
            except asyncio.CancelledError:
                cleanup()
                raise
            try:
                await g()
            except asyncio.CancelledError as exc:
                if shutting_down():
                    log("bye")
                    raise
                else:
                    raise exc
            try:
                await g()
            except BaseException:
                try:
                    await rollback()
                finally:
                    raise
            try:
                await g()
            except asyncio.CancelledError:
                for x in range(3):
                    if x:
                        break
                    continue
                raise
            try:
                await g()
            except Exception:
                pass
        """
    )


def test_pbk103_sync_code_and_nested_functions_are_out_of_scope():
    assert_marked(
        """
        import asyncio

        def sync():
            try:
                loop.run_until_complete(main())
            except asyncio.CancelledError:
                pass

        async def f():
            def inner():
                try:
                    work()
                except BaseException:
                    pass
            return inner
        """
    )


def test_pbk103_cancel_then_reap_idiom():
    assert_marked(
        """
        import asyncio
        import contextlib

        class Worker:
            async def stop(self):
                self._task.cancel()
                try:
                    await self._task
                except asyncio.CancelledError:
                    pass

            async def stop_all(self, tasks):
                for t in tasks:
                    t.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.gather(*tasks)  # PBK101 (opinionated, not about cancellation)

        async def reap(task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        async def not_reaped(task, other):
            task.cancel()
            try:
                await other
            except asyncio.CancelledError:  # PBK103 awaits a different task
                pass
        """
    )


def test_pbk103_body_that_never_suspends_cannot_receive_a_cancellation():
    assert_marked(
        """
        import asyncio
        import contextlib

        class Refresher:
            async def restart(self):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    self._task.result()  # a finished task's own CancelledError
                try:
                    self._task.exception()
                except asyncio.CancelledError:
                    pass
                try:
                    async def later():
                        await asyncio.sleep(1)  # another function's await
                    self.later = later
                except asyncio.CancelledError:
                    await log()  # an await in the handler is not in the protected body

            async def run(self):
                try:
                    async for item in self.stream():
                        handle(item)
                except asyncio.CancelledError:  # PBK103 async for suspends
                    pass
                try:
                    async with self.lock:
                        handle()
                except asyncio.CancelledError:  # PBK103 async with suspends
                    pass
                try:
                    results = [await f for f in self.futures]
                except asyncio.CancelledError:  # PBK103 an await in a comprehension
                    results = []
                with contextlib.suppress(asyncio.CancelledError):  # PBK103
                    try:
                        pass
                    finally:
                        await self.close()
                return results
        """
    )


def test_pbk103_flag_recorded_for_a_later_reraise():
    assert_marked(
        """
        import asyncio

        async def shielded(task):
            cancelled = False
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                cancelled = True
            try:
                await task
            except asyncio.CancelledError:
                self.cancel_requested = True
            try:
                await task
            except asyncio.CancelledError:  # PBK103 the flag says nothing about cancellation
                done = True
            if cancelled:
                raise asyncio.CancelledError
            return done
        """
    )


def test_pbk103_reraise_when_this_task_is_cancelling():
    assert_marked(
        """
        import asyncio
        import sys

        async def wait_released(writer):
            try:
                await writer
            except asyncio.CancelledError:
                if sys.version_info >= (3, 11) and (task := asyncio.current_task()) and task.cancelling():
                    raise
            try:
                await writer
            except asyncio.CancelledError:  # PBK103 no cancelling() check
                if sys.version_info >= (3, 11):
                    raise
        """
    )


def test_pbk103_draining_inside_a_handler_that_reraises():
    assert_marked(
        """
        import asyncio
        import contextlib

        async def flush_all(flush):
            try:
                await asyncio.shield(flush)
            except asyncio.CancelledError:
                while not flush.done():
                    with contextlib.suppress(asyncio.CancelledError):
                        await asyncio.shield(flush)
                raise
            try:
                await asyncio.shield(flush)
            except asyncio.CancelledError:  # PBK103
                while not flush.done():
                    with contextlib.suppress(asyncio.CancelledError):  # PBK103
                        await asyncio.shield(flush)
        """
    )


def test_pbk103_reap_through_wrappers():
    assert_marked(
        """
        import asyncio
        from contextlib import suppress

        class Listener:
            async def stop(self):
                try:
                    await asyncio.wait_for(asyncio.shield(self._task), 5)  # PBK102
                except asyncio.TimeoutError:
                    self._task.cancel()
                    with suppress(asyncio.CancelledError, asyncio.TimeoutError):
                        await asyncio.wait_for(asyncio.shield(self._task), 5)  # PBK102
        """
    )


def test_pbk103_isinstance_guarded_raise_and_cancellation_subclasses():
    assert_marked(
        """
        import asyncio


        class WorkerCancelled(asyncio.CancelledError):
            pass


        class Retry(Exception):
            pass


        async def connect(tr, retry):
            try:
                await tr.start()
            except (Exception, asyncio.CancelledError) as exc:
                tr.close()
                if retry and isinstance(exc, OSError):
                    raise Retry() from exc  # only for OSError: never for a cancellation
                raise
            try:
                await tr.start()
            except asyncio.CancelledError:
                raise WorkerCancelled() from None  # still a cancellation
            try:
                await tr.start()
            except BaseException as exc:  # PBK103 the guard admits CancelledError
                if isinstance(exc, (OSError, asyncio.CancelledError)):
                    raise Retry() from exc
                raise
            try:
                await tr.start()
            except BaseException as exc:  # PBK103 a guard on another name proves nothing
                if isinstance(tr, OSError):
                    raise Retry() from exc
                raise
        """
    )


def test_pbk103_exception_handed_on_is_not_judged():
    assert_marked(
        """
        import asyncio


        async def run_callbacks(callbacks, future, gen):
            errors = []
            for cb in callbacks:
                try:
                    await cb()
                except (Exception, asyncio.CancelledError) as exc:
                    errors.append(exc)
            try:
                await gen.asend(None)
            except BaseException as exc:
                res = gen.throw(exc)
            try:
                await callbacks[0]()
            except BaseException as exc:
                future.set_exception(exc)
            try:
                await callbacks[0]()
            except BaseException as exc:  # PBK103 logging is not handing it on
                log(exc)
        """
    )
