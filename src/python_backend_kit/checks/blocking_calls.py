"""The one table of blocking calls shared by PBK105 to PBK108.

Each entry maps a qualified name to the rule that flags it in async code
and what to call instead. A key ``<class>.<method>`` (``requests.Session.get``)
names a method called on a receiver known to hold that class; the class part
is the receiver kind of model/receivers.py (``http.client.HTTPConnection`` also
covers ``HTTPSConnection``). Users add their own entries from configuration
(``blocking-calls``); theirs win over ours.

Sources: the research table /work/research/asyncio/blocking-calls.yaml
(checked on CPython 3.10 to 3.13, requests 2.34, httpx 0.28).
"""

from __future__ import annotations

from typing import NamedTuple


class BlockingCall(NamedTuple):
    code: str
    instead: str


BLOCKING_CALLS: dict[str, BlockingCall] = {
    # -- PBK105 blocking-sleep
    "time.sleep": BlockingCall("PBK105", "await asyncio.sleep()"),
    # -- PBK106 blocking-http-call
    "requests.get": BlockingCall("PBK106", "await client.get(...) on an httpx.AsyncClient"),
    "requests.post": BlockingCall("PBK106", "await client.post(...) on an httpx.AsyncClient"),
    "requests.put": BlockingCall("PBK106", "await client.put(...) on an httpx.AsyncClient"),
    "requests.patch": BlockingCall("PBK106", "await client.patch(...) on an httpx.AsyncClient"),
    "requests.delete": BlockingCall("PBK106", "await client.delete(...) on an httpx.AsyncClient"),
    "requests.head": BlockingCall("PBK106", "await client.head(...) on an httpx.AsyncClient"),
    "requests.options": BlockingCall("PBK106", "await client.options(...) on an httpx.AsyncClient"),
    "requests.request": BlockingCall("PBK106", "await client.request(...) on an httpx.AsyncClient"),
    "requests.Session.get": BlockingCall("PBK106", "a shared httpx.AsyncClient (await client.get(...))"),
    "requests.Session.post": BlockingCall("PBK106", "a shared httpx.AsyncClient (await client.post(...))"),
    "requests.Session.put": BlockingCall("PBK106", "a shared httpx.AsyncClient (await client.put(...))"),
    "requests.Session.patch": BlockingCall("PBK106", "a shared httpx.AsyncClient (await client.patch(...))"),
    "requests.Session.delete": BlockingCall("PBK106", "a shared httpx.AsyncClient (await client.delete(...))"),
    "requests.Session.head": BlockingCall("PBK106", "a shared httpx.AsyncClient (await client.head(...))"),
    "requests.Session.options": BlockingCall("PBK106", "a shared httpx.AsyncClient (await client.options(...))"),
    "requests.Session.request": BlockingCall("PBK106", "a shared httpx.AsyncClient (await client.request(...))"),
    "urllib.request.urlopen": BlockingCall("PBK106", "an httpx.AsyncClient or aiohttp.ClientSession request"),
    "http.client.HTTPConnection.request": BlockingCall("PBK106", "an httpx.AsyncClient or aiohttp.ClientSession request"),
    "http.client.HTTPConnection.getresponse": BlockingCall("PBK106", "an httpx.AsyncClient or aiohttp.ClientSession request"),
    "httpx.get": BlockingCall("PBK106", "await client.get(...) on an httpx.AsyncClient"),
    "httpx.post": BlockingCall("PBK106", "await client.post(...) on an httpx.AsyncClient"),
    "httpx.put": BlockingCall("PBK106", "await client.put(...) on an httpx.AsyncClient"),
    "httpx.patch": BlockingCall("PBK106", "await client.patch(...) on an httpx.AsyncClient"),
    "httpx.delete": BlockingCall("PBK106", "await client.delete(...) on an httpx.AsyncClient"),
    "httpx.head": BlockingCall("PBK106", "await client.head(...) on an httpx.AsyncClient"),
    "httpx.options": BlockingCall("PBK106", "await client.options(...) on an httpx.AsyncClient"),
    "httpx.request": BlockingCall("PBK106", "await client.request(...) on an httpx.AsyncClient"),
    "httpx.stream": BlockingCall("PBK106", "async with client.stream(...) on an httpx.AsyncClient"),
    "httpx.Client.get": BlockingCall("PBK106", "httpx.AsyncClient and await client.get(...)"),
    "httpx.Client.post": BlockingCall("PBK106", "httpx.AsyncClient and await client.post(...)"),
    "httpx.Client.put": BlockingCall("PBK106", "httpx.AsyncClient and await client.put(...)"),
    "httpx.Client.patch": BlockingCall("PBK106", "httpx.AsyncClient and await client.patch(...)"),
    "httpx.Client.delete": BlockingCall("PBK106", "httpx.AsyncClient and await client.delete(...)"),
    "httpx.Client.head": BlockingCall("PBK106", "httpx.AsyncClient and await client.head(...)"),
    "httpx.Client.options": BlockingCall("PBK106", "httpx.AsyncClient and await client.options(...)"),
    "httpx.Client.request": BlockingCall("PBK106", "httpx.AsyncClient and await client.request(...)"),
    "httpx.Client.send": BlockingCall("PBK106", "httpx.AsyncClient and await client.send(...)"),
    "httpx.Client.stream": BlockingCall("PBK106", "httpx.AsyncClient and async with client.stream(...)"),
    # -- PBK107 blocking-subprocess
    "subprocess.run": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(...) and await proc.communicate()"),
    "subprocess.call": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(...) and await proc.wait()"),
    "subprocess.check_call": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(...), await proc.wait(), check returncode"),
    "subprocess.check_output": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(..., stdout=PIPE) and await proc.communicate()"),
    "subprocess.getoutput": BlockingCall("PBK107", "await asyncio.create_subprocess_shell(..., stdout=PIPE) and await proc.communicate()"),
    "subprocess.getstatusoutput": BlockingCall("PBK107", "await asyncio.create_subprocess_shell(..., stdout=PIPE) and await proc.communicate()"),
    "subprocess.Popen": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(...)"),
    "subprocess.Popen.wait": BlockingCall("PBK107", "await proc.wait() on an asyncio subprocess"),
    "subprocess.Popen.communicate": BlockingCall("PBK107", "await proc.communicate() on an asyncio subprocess"),
    "os.system": BlockingCall("PBK107", "await asyncio.create_subprocess_shell(...) and await proc.wait()"),
    "os.popen": BlockingCall("PBK107", "await asyncio.create_subprocess_shell(..., stdout=PIPE)"),
    "os.wait": BlockingCall("PBK107", "await proc.wait() on an asyncio subprocess, or asyncio.to_thread(os.wait)"),
    "os.wait3": BlockingCall("PBK107", "await proc.wait() on an asyncio subprocess, or asyncio.to_thread(os.wait3, ...)"),
    "os.wait4": BlockingCall("PBK107", "await proc.wait() on an asyncio subprocess, or asyncio.to_thread(os.wait4, ...)"),
    "os.waitid": BlockingCall("PBK107", "await proc.wait() on an asyncio subprocess, or asyncio.to_thread(os.waitid, ...)"),
    "os.waitpid": BlockingCall("PBK107", "await proc.wait() on an asyncio subprocess, or asyncio.to_thread(os.waitpid, ...)"),
    "os.spawnl": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(...)"),
    "os.spawnle": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(..., env=...)"),
    "os.spawnlp": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(...)"),
    "os.spawnlpe": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(..., env=...)"),
    "os.spawnv": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(...)"),
    "os.spawnve": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(..., env=...)"),
    "os.spawnvp": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(...)"),
    "os.spawnvpe": BlockingCall("PBK107", "await asyncio.create_subprocess_exec(..., env=...)"),
    # -- PBK108 blocking-file-io
    "builtins.open": BlockingCall("PBK108", "aiofiles.open(...) or await asyncio.to_thread(...)"),
    "io.open": BlockingCall("PBK108", "aiofiles.open(...) or await asyncio.to_thread(...)"),
    "pathlib.Path.open": BlockingCall("PBK108", "aiofiles.open(path) or anyio.Path(path).open()"),
    "pathlib.Path.read_text": BlockingCall("PBK108", "await anyio.Path(...).read_text() or asyncio.to_thread(path.read_text)"),
    "pathlib.Path.read_bytes": BlockingCall("PBK108", "await anyio.Path(...).read_bytes() or asyncio.to_thread(path.read_bytes)"),
    "pathlib.Path.write_text": BlockingCall("PBK108", "await anyio.Path(...).write_text(...) or asyncio.to_thread(path.write_text, ...)"),
    "pathlib.Path.write_bytes": BlockingCall("PBK108", "await anyio.Path(...).write_bytes(...) or asyncio.to_thread(path.write_bytes, ...)"),
    "shutil.copy": BlockingCall("PBK108", "await asyncio.to_thread(shutil.copy, ...)"),
    "shutil.copy2": BlockingCall("PBK108", "await asyncio.to_thread(shutil.copy2, ...)"),
    "shutil.copyfile": BlockingCall("PBK108", "await asyncio.to_thread(shutil.copyfile, ...)"),
    "shutil.copyfileobj": BlockingCall("PBK108", "await asyncio.to_thread(shutil.copyfileobj, ...)"),
    "shutil.copymode": BlockingCall("PBK108", "await asyncio.to_thread(shutil.copymode, ...)"),
    "shutil.copystat": BlockingCall("PBK108", "await asyncio.to_thread(shutil.copystat, ...)"),
    "shutil.copytree": BlockingCall("PBK108", "await asyncio.to_thread(shutil.copytree, ...)"),
    "shutil.move": BlockingCall("PBK108", "await asyncio.to_thread(shutil.move, ...)"),
    "shutil.rmtree": BlockingCall("PBK108", "await asyncio.to_thread(shutil.rmtree, ...)"),
}


def lookup(qualname: str | None, extra: dict[str, BlockingCall] | None = None) -> BlockingCall | None:
    if qualname is None:
        return None
    if extra and qualname in extra:
        return extra[qualname]
    return BLOCKING_CALLS.get(qualname)
