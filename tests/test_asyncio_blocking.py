"""PBK106 to PBK108 (and the shared table of PBK105 to PBK108): unit cases."""

from __future__ import annotations

import pytest
from helpers import assert_marked, findings

from python_backend_kit.checks.blocking_calls import BLOCKING_CALLS, BlockingCall
from python_backend_kit.model import receivers

# -- the table ---------------------------------------------------------------


def test_table_entries_name_a_blocking_rule_and_a_suggestion():
    assert len(BLOCKING_CALLS) >= 75
    for name, entry in BLOCKING_CALLS.items():
        assert entry.code in ("PBK105", "PBK106", "PBK107", "PBK108"), name
        assert entry.instead.strip(), name


RECEIVER_KINDS = (receivers.REQUESTS_SESSION, receivers.HTTPX_CLIENT, receivers.HTTP_CONNECTION, receivers.POPEN, receivers.PATH)


@pytest.mark.parametrize("kind", RECEIVER_KINDS)
def test_every_receiver_kind_has_methods_in_the_table(kind):
    assert any(name.startswith(kind + ".") for name in BLOCKING_CALLS), kind


def test_pure_helpers_are_not_in_the_table():
    assert "os.waitstatus_to_exitcode" not in BLOCKING_CALLS
    assert "requests.Session" not in BLOCKING_CALLS  # the constructor does no I/O
    assert "http.client.HTTPConnection" not in BLOCKING_CALLS  # connects lazily


# -- PBK106 ------------------------------------------------------------------


def test_pbk106_module_functions_and_aliases():
    assert_marked(
        """
        import requests
        import requests as rq
        from requests import delete as rm
        import urllib.request
        from urllib.request import urlopen
        import httpx

        async def f(url):
            requests.get(url, timeout=5)  # PBK106
            requests.post(url, json={}, timeout=5)  # PBK106
            requests.request("PUT", url, timeout=5)  # PBK106
            rq.head(url, timeout=5)  # PBK106
            rm(url, timeout=5)  # PBK106
            urllib.request.urlopen(url)  # PBK106
            urlopen(url).read()  # PBK106
            httpx.get(url)  # PBK106
            with httpx.stream("GET", url) as r:  # PBK106
                r.read()
        """
    )


def test_pbk106_receivers():
    assert_marked(
        """
        import http.client
        import httpx
        import requests

        async def f(url, session: requests.Session, client: "httpx.Client | None"):
            with requests.Session() as s:
                s.get(url, timeout=5)  # PBK106
            other = requests.Session()
            other.options(url, timeout=5)  # PBK106
            other.close()
            requests.Session().patch(url, timeout=5)  # PBK106
            session.put(url, timeout=5)  # PBK106
            client.send(client.build_request("GET", url))  # PBK106
            conn = http.client.HTTPSConnection("example.com")
            conn.request("GET", "/")  # PBK106
            body = conn.getresponse().read()  # PBK106
            with httpx.Client() as c:
                return [c.get(u) for u in url]  # PBK106

        class Api:
            def __init__(self):
                self.http = requests.Session()

            async def fetch(self, url):
                return self.http.get(url)  # PBK106
        """
    )


def test_pbk106_near_misses():
    assert_marked(
        """
        import asyncio
        import aiohttp
        import http.client
        import httpx
        import requests
        from requests import get

        def my_get(url):
            return url

        def sync_fetch(url):
            return requests.get(url, timeout=5)

        async def f(url, client: httpx.AsyncClient, session: aiohttp.ClientSession, unknown):
            await client.get(url)
            async with httpx.AsyncClient() as c:
                await c.post(url)
            async with session.get(url) as resp:
                await resp.read()
            await asyncio.to_thread(requests.get, url, timeout=5)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, requests.get, url)  # PBK111 (opinionated)
            fetcher = requests.get  # a reference, not a call
            unknown.get(url)  # unknown receiver
            conn = http.client.HTTPSConnection("example.com")  # connects lazily
            session_factory = requests.Session  # not a call
            def fetch():
                return requests.get(url, timeout=5)  # nested sync def
            call = lambda: requests.get(url, timeout=5)  # lambda: not async context
            get = my_get  # rebound locally
            return get(url), fetcher, conn, fetch, call, session_factory
        """
    )


# -- PBK107 ------------------------------------------------------------------


def test_pbk107_functions_and_aliases():
    assert_marked(
        """
        import os
        import subprocess
        import subprocess as sp
        from os import system as shell
        from subprocess import Popen as P

        async def f(status):
            subprocess.run(["ls"], check=True)  # PBK107
            subprocess.call(["ls"])  # PBK107
            subprocess.check_call(["ls"])  # PBK107
            subprocess.check_output(["ls"])  # PBK107
            subprocess.getoutput("ls")  # PBK107
            subprocess.getstatusoutput("ls")  # PBK107
            os.system("ls")  # PBK107
            os.popen("ls").read()  # PBK107
            os.waitpid(-1, 0)  # PBK107
            os.wait()  # PBK107
            os.spawnv(os.P_WAIT, "/bin/ls", ["ls"])  # PBK107
            shell("true")  # PBK107
            proc = P(["ls"], stdout=sp.PIPE)  # PBK107
            proc.communicate()  # PBK107
            with sp.Popen(["ls"]) as p2:  # PBK107
                p2.wait()  # PBK107
            return os.waitstatus_to_exitcode(status)
        """
    )


def test_pbk107_annotated_popen_and_methods():
    assert_marked(
        """
        import subprocess

        class Runner:
            async def reap(self, proc: subprocess.Popen) -> int:
                proc.poll()
                return proc.wait()  # PBK107
        """
    )


def test_pbk107_near_misses():
    assert_marked(
        """
        import asyncio
        import subprocess

        def build():
            subprocess.run(["make"], check=True)

        async def f():
            proc = await asyncio.create_subprocess_exec("ls", stdout=asyncio.subprocess.PIPE)
            out, _ = await proc.communicate()
            await proc.wait()
            shell = await asyncio.create_subprocess_shell("ls")
            await shell.wait()
            await asyncio.to_thread(subprocess.run, ["ls"], check=True)
            def run():
                return subprocess.run(["ls"], check=True)
            return await asyncio.to_thread(run)
        """
    )


# -- PBK108 ------------------------------------------------------------------


def test_pbk108_open_and_shutil():
    assert_marked(
        """
        import io
        import shutil
        from shutil import copy2

        async def f(path, a, b):
            with open(path) as fh:  # PBK108
                data = fh.read()
            io.open(path).close()  # PBK108
            shutil.copy(a, b)  # PBK108
            copy2(a, b)  # PBK108
            shutil.copytree(a, b)  # PBK108
            shutil.move(a, b)  # PBK108
            shutil.rmtree(b)  # PBK108
            return data, [open(p).read() for p in a]  # PBK108
        """
    )


def test_pbk108_paths():
    assert_marked(
        """
        import pathlib
        from pathlib import Path
        from pathlib import Path as P

        async def f(name: str, given: Path, maybe: Path | None) -> None:
            Path(name).read_text()  # PBK108
            p = pathlib.Path(name)
            p.write_bytes(b"x")  # PBK108
            P(name).write_text("x")  # PBK108
            with p.open() as fh:  # PBK108
                fh.read()
            given.read_bytes()  # PBK108
            (given / "child").read_text()  # PBK108
            given.parent.joinpath("x").read_text()  # PBK108
            maybe.read_text()  # PBK108
            Path(name).name
            Path(name).exists()
        """
    )


def test_pbk108_near_misses():
    assert_marked(
        """
        import asyncio
        import shutil
        from pathlib import Path

        import aiofiles
        import anyio

        def sync(path):
            with open(path) as fh:
                return fh.read()

        async def f(path: Path, doc, dst):
            async with aiofiles.open(path) as fh:
                await fh.read()
            await anyio.Path(path).read_text()
            await asyncio.to_thread(shutil.copy, path, dst)
            await asyncio.to_thread(path.read_text)
            doc.read_text()  # receiver not known to be a Path
            def load():
                with open(path) as fh:
                    return fh.read()
            return await asyncio.to_thread(load)
        """
    )


def test_pbk108_aiofiles_open_imported_as_open_is_not_builtin():
    assert_marked(
        """
        from aiofiles import open

        async def f(path):
            async with open(path) as fh:
                return await fh.read()
        """
    )


# -- the user's own blocking calls -------------------------------------------


def test_blocking_calls_option_adds_entries():
    user = {
        "boto3.client": BlockingCall("PBK106", "aioboto3"),
        "mylib.files.load": BlockingCall("PBK108", "mylib.files.aload"),
        "pathlib.Path.unlink": BlockingCall("PBK108", "await anyio.Path(...).unlink()"),
        "mylib.run_job": BlockingCall("PBK107", "await mylib.arun_job()"),
    }
    assert_marked(
        """
        import boto3 as b3
        from mylib.files import load
        from mylib import run_job
        from pathlib import Path

        def sync():
            b3.client("s3")

        async def f(path: Path):
            b3.client("s3")  # PBK106
            load("x")  # PBK108
            path.unlink()  # PBK108
            run_job()  # PBK107
        """,
        **{"blocking-calls": user},
    )


def test_blocking_calls_option_can_override_a_builtin_entry():
    user = {"time.sleep": BlockingCall("PBK106", "await trio.sleep()")}
    source = """
        import time

        async def f():
            time.sleep(1)
        """
    assert findings(source, **{"blocking-calls": user}) == [(5, "PBK106")]
    assert findings(source) == [(5, "PBK105")]


def test_blocking_calls_option_message_uses_the_users_suggestion():
    import textwrap

    from python_backend_kit.catalog import bundled_rules
    from python_backend_kit.engine import Settings, check_source
    from python_backend_kit.messages import message_for

    rules = bundled_rules()
    settings = Settings(codes=frozenset(rules), options={"blocking-calls": {"boto3.client": BlockingCall("PBK106", "aioboto3")}})
    source = textwrap.dedent(
        """
        import boto3
        import requests

        async def f(url):
            boto3.client("s3")
            requests.Session().get(url)
            open(url)
        """
    )
    messages = [message_for(f, rules) for f in check_source(source, settings)]
    assert messages == [
        "boto3.client() is a blocking HTTP call in async code; use aioboto3",
        "requests.Session.get() is a blocking HTTP call in async code; use a shared httpx.AsyncClient (await client.get(...))",
        "open() does blocking file I/O in async code; use aiofiles.open(...) or await asyncio.to_thread(...)",
    ]
