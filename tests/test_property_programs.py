"""Generated programs never crash the checker.

Two generators: hypothesmith's programs (any Python the grammar allows, or
built from libcst's node types), and programs composed from the constructs
our rules look at (async defs, imports under aliases, tasks, sessions,
clients, FastAPI routes, try/except, lambdas, comprehensions ...) nested in
random ways. The property: no exception escapes the engine, no PBK000.
Example counts are modest so CI stays fast; raise them with
PBK_PROPERTY_EXAMPLES=2000 for a longer local run.
"""

from __future__ import annotations

import ast
import os
import textwrap
import warnings

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from python_backend_kit.catalog import bundled_rules
from python_backend_kit.engine import INTERNAL_ERROR, Settings, check_source
from python_backend_kit.flake8_plugin import Flake8Plugin

# hypothesmith compiles what it generates; odd but valid programs warn
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

EXAMPLES = int(os.environ.get("PBK_PROPERTY_EXAMPLES", "60"))
ALL = Settings(codes=frozenset(bundled_rules()), min_python=(3, 13))
OLD = Settings(codes=frozenset(bundled_rules()), min_python=(3, 10))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def assert_no_crash(source: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for odd but valid programs
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return  # the parser's limits are the doors' business (E999)
        for chosen in (ALL, OLD):
            findings = check_source(source, chosen)
            assert [f for f in findings if f.code == INTERNAL_ERROR] == [], source
        results = list(Flake8Plugin(tree, "generated.py").run())
        assert not [r for r in results if r[2].startswith(INTERNAL_ERROR)], source


@PROPERTY
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar(source):
    assert_no_crash(source)


@settings(max_examples=max(5, EXAMPLES // 4), deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes(source):
    assert_no_crash(source)


# -- programs made of what our rules look at ------------------------------------------------

IMPORTS = [
    "import asyncio", "import asyncio as aio", "from asyncio import create_task, gather, sleep as snooze",
    "import time", "from time import sleep", "import requests", "import httpx", "import aiohttp",
    "from fastapi import FastAPI, APIRouter, Depends", "import fastapi", "from fastapi import BackgroundTasks",
    "from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine, async_sessionmaker",
    "from sqlalchemy.orm import sessionmaker, Session", "from contextlib import asynccontextmanager, suppress",
    "from pathlib import Path", "import subprocess", "import os", "from typing import Annotated, Optional",
    "from .models import thing", "from . import sibling", "import anyio", "import threading",
]
EXPRESSIONS = [
    "time.sleep(1)", "sleep(0.1)", "asyncio.sleep(1)", "await asyncio.sleep(1)", "asyncio.create_task(work())",
    "aio.ensure_future(work())", "create_task(work())", "loop.create_task(work())", "asyncio.get_event_loop()",
    "requests.get(url)", "httpx.get(url)", "httpx.AsyncClient()", "aiohttp.ClientSession()", "open(path).read()",
    "Path(path).read_text()", "subprocess.run(['ls'])", "os.system('ls')", "session.execute(query)",
    "await session.execute(query)", "await session.commit()", "session.add(obj)", "engine.connect()",
    "create_async_engine(url)", "async_sessionmaker(engine)", "sessionmaker(bind=engine, class_=AsyncSession)",
    "Depends(get_db)", "FastAPI(lifespan=lifespan)", "APIRouter()", "asyncio.gather(*tasks)",
    "asyncio.wait_for(work(), 1)", "asyncio.run(main())", "asyncio.Lock()", "asyncio.Semaphore(3)",
    "lambda: asyncio.create_task(work())", "[await x for x in xs]", "(x async for x in xs)",
    "{k: await v for k, v in items}", "self.session", "self.client.get(url)", "thing.parent / 'x'",
    "x if y else z", "f(*args, **kwargs)", "obj.attr.method()()", "await asyncio.to_thread(time.sleep, 1)",
    "threading.Thread(target=work).start()", "anyio.sleep(1)", "(x := 3)", "not x", "-x", "x[1:2]",
]
TARGETS = ["x", "self.session", "self.client", "session", "client", "engine", "task", "(a, b)", "path", "loop"]
ANNOTATIONS = ["AsyncSession", "Session", "httpx.AsyncClient", "Annotated[AsyncSession, Depends(get_db)]",
               "Optional[AsyncSession]", "'AsyncSession'", "AsyncSession | None", "int", "'not valid ('"]
DECORATORS = ["@app.get('/')", "@router.post('/items')", "@asynccontextmanager", "@staticmethod", "@property",
              "@app.on_event('startup')", "@fastapi.APIRouter().get('/x')"]


def _statement(draw, depth: int) -> str:
    kinds = ["expr", "expr", "assign", "annassign", "return", "pass", "import"]
    if depth < 4:
        kinds += ["async_def", "def", "class", "with", "async_with", "try", "for", "async_for", "if", "while"]
    kind = draw(st.sampled_from(kinds))
    block = lambda: _block(draw, depth + 1)  # noqa: E731
    expr = lambda: draw(st.sampled_from(EXPRESSIONS))  # noqa: E731
    if kind == "expr":
        return expr()
    if kind == "assign":
        return f"{draw(st.sampled_from(TARGETS))} = {expr()}"
    if kind == "annassign":
        return f"{draw(st.sampled_from(['x', 'session', 'self.client']))}: {draw(st.sampled_from(ANNOTATIONS))} = {expr()}"
    if kind == "return":
        return draw(st.sampled_from(["return", "return x", "yield", "yield x", "raise", "break", "continue"]))
    if kind == "pass":
        return "pass"
    if kind == "import":
        return draw(st.sampled_from(IMPORTS))
    if kind in ("async_def", "def"):
        decorators = "".join(d + "\n" for d in draw(st.lists(st.sampled_from(DECORATORS), max_size=2)))
        params = draw(st.sampled_from(["", "self", "session: AsyncSession", "db: Annotated[AsyncSession, Depends(get_db)]",
                                       "*args, **kwargs", "x=time.sleep(1)", "client: 'httpx.AsyncClient'"]))
        prefix = "async def" if kind == "async_def" else "def"
        return f"{decorators}{prefix} {draw(st.sampled_from(['handler', 'lifespan', 'get_db', 'work', 'app_lifespan']))}({params}):\n{block()}"
    if kind == "class":
        return f"class Service{draw(st.sampled_from(['', '(Base)', '(BaseModel)']))}:\n{block()}"
    if kind in ("with", "async_with"):
        prefix = "async with" if kind == "async_with" else "with"
        return f"{prefix} {expr()} as {draw(st.sampled_from(TARGETS[:-2]))}:\n{block()}"
    if kind == "try":
        handler = draw(st.sampled_from(["except Exception:", "except:", "except asyncio.CancelledError:",
                                        "except BaseException as exc:", "except (ValueError, aio.CancelledError):",
                                        "finally:"]))
        return f"try:\n{block()}\n{handler}\n{block()}"
    if kind in ("for", "async_for"):
        prefix = "async for" if kind == "async_for" else "for"
        return f"{prefix} item in {expr()}:\n{block()}"
    if kind == "if":
        return f"if {expr()}:\n{block()}\nelif x:\n{block()}\nelse:\n{block()}"
    return f"while {expr()}:\n{block()}"


def _block(draw, depth: int) -> str:
    statements = [_statement(draw, depth) for _ in range(draw(st.integers(1, 3)))]
    return textwrap.indent("\n".join(statements), "    ")


@st.composite
def backend_programs(draw) -> str:
    statements = [_statement(draw, 0) for _ in range(draw(st.integers(1, 8)))]
    return "\n".join(statements) + "\n"


@PROPERTY
@given(backend_programs())
def test_backend_shaped_programs(source):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ast.parse(source)  # the generator makes valid Python, else the property tests little
    assert_no_crash(source)
