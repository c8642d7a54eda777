"""PBK2xx unit cases beyond the doc examples: aliases, nesting, near misses."""

from __future__ import annotations

from helpers import assert_marked, findings

PBK2 = [f"PBK2{n:02d}" for n in range(1, 11)]


# -- PBK201 on-event-handler ---------------------------------------------------------


def test_pbk201_decorators_on_apps_and_routers_through_aliases():
    assert_marked(
        """
        import fastapi as fa
        from fastapi import APIRouter as R

        app = fa.FastAPI()
        r = R()


        @app.on_event("startup")  # PBK201
        async def a() -> None: ...


        @r.on_event("shutdown")  # PBK201
        def b() -> None: ...
        """,
        PBK2,
    )


def test_pbk201_constructor_keywords_and_add_event_handler():
    assert_marked(
        """
        from fastapi import APIRouter, FastAPI
        from starlette.applications import Starlette
        from starlette.routing import Router


        def f() -> None: ...


        app = FastAPI(on_startup=[f], on_shutdown=[f])  # PBK201
        router = APIRouter(  # PBK201
            prefix="/x",
            on_startup=[f],
        )
        star = Starlette(on_shutdown=[f])  # PBK201
        plain = Router(on_startup=[f])  # PBK201
        app.router.add_event_handler("startup", f)  # PBK201
        star.add_event_handler("startup", f)  # PBK201
        star.router.add_event_handler("startup", f)  # PBK201
        quiet = FastAPI(on_startup=None)


        def install(target: FastAPI) -> None:
            target.add_event_handler("shutdown", f)  # PBK201
        """,
        PBK2,
    )


def test_pbk201_message_names_the_call():
    from python_backend_kit.catalog import bundled_rules
    from python_backend_kit.engine import Settings, check_source
    from python_backend_kit.messages import message_for

    source = "from fastapi import FastAPI\napp = FastAPI(on_startup=[], on_shutdown=[])\napp.router.add_event_handler('startup', f)\n"
    found = check_source(source, Settings(codes=frozenset({"PBK201"})))
    messages = [message_for(f, bundled_rules()) for f in found]
    assert "FastAPI(on_startup=..., on_shutdown=...)" in messages[0]
    assert "app.router.add_event_handler" in messages[1]


def test_pbk201_unknown_receivers_in_fastapi_and_starlette_modules():
    assert_marked(
        """
        from fastapi import FastAPI
        from .main import app


        @app.on_event("startup")  # PBK201
        async def s() -> None: ...
        """,
        PBK2,
    )
    assert_marked(
        """
        import starlette
        from .main import app

        app.add_event_handler("startup", print)  # PBK201
        """,
        PBK2,
    )


def test_pbk201_delegating_wrapper_of_an_annotated_app():
    assert_marked(
        """
        from fastapi import FastAPI


        class Wrapper:
            def __init__(self, app: FastAPI) -> None:
                self._app = app

            def on_event(self, event_type: str):
                return self._app.on_event(event_type)  # PBK201
        """,
        PBK2,
    )


def test_pbk201_app_subclass_uses_self():
    assert_marked(
        """
        from fastapi import FastAPI


        class App(FastAPI):
            def setup(self) -> None:
                self.router.add_event_handler("startup", self.start)  # PBK201

            def start(self) -> None: ...
        """,
        PBK2,
    )


def test_pbk201_must_not_flag():
    # lifespan=
    assert_marked(
        """
        from contextlib import asynccontextmanager
        from fastapi import FastAPI


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            yield


        app = FastAPI(lifespan=lifespan)
        """,
        PBK2,
    )
    # other objects, in a module that imports neither fastapi nor starlette
    assert_marked(
        """
        from mybus import app


        class Bus:
            def on_event(self, name):
                return lambda f: f

            def add_event_handler(self, name, f): ...


        bus = Bus()


        @bus.on_event("startup")
        def s() -> None: ...


        bus.add_event_handler("startup", s)
        app.add_event_handler("startup", s)


        @app.on_event("startup")
        def t() -> None: ...
        """,
        PBK2,
    )
    # other objects in a fastapi module: local classes, known clients, self of a non-app class
    assert_marked(
        """
        import httpx
        from fastapi import FastAPI

        app = FastAPI()


        class Emitter:
            def on_event(self, name):
                return lambda f: f

            def fire(self):
                self.on_event("x")
                self.add_event_handler("x", print)


        emitter = Emitter()
        client = httpx.AsyncClient()


        @emitter.on_event("startup")
        def s() -> None: ...


        client.on_event("x")
        """,
        PBK2,
    )


# -- PBK210 event-handler-ignored-by-lifespan --------------------------------------------


def test_pbk210_every_registration_on_the_lifespan_app():
    assert_marked(
        """
        from contextlib import asynccontextmanager

        from fastapi import FastAPI


        @asynccontextmanager
        async def life(app):
            yield


        def f() -> None: ...


        app = FastAPI(lifespan=life, on_startup=[f])  # PBK210, PBK201
        app.router.add_event_handler("shutdown", f)  # PBK210, PBK201
        app.add_event_handler("shutdown", f)  # PBK210, PBK201


        @app.on_event("startup")  # PBK210, PBK201
        async def s() -> None: ...


        def install(x: FastAPI) -> None:
            x.add_event_handler("startup", f)  # PBK201
        """,
        PBK2,
    )


def test_pbk210_in_an_app_factory():
    assert_marked(
        """
        from fastapi import FastAPI
        from .lifespan import lifespan


        def create_app() -> FastAPI:
            app = FastAPI(lifespan=lifespan)

            @app.on_event("shutdown")  # PBK210, PBK201
            async def bye() -> None: ...

            return app


        app = FastAPI()


        @app.on_event("startup")  # PBK201
        async def hi() -> None: ...
        """,
        PBK2,
    )


def test_pbk210_must_not_flag():
    # lifespan without handlers; handlers on another app; a router without its own lifespan;
    # an app rebound without lifespan=; lifespan=None
    assert_marked(
        """
        from contextlib import asynccontextmanager

        from fastapi import APIRouter, FastAPI


        @asynccontextmanager
        async def life(app):
            await warm()
            yield


        async def warm() -> None: ...


        app = FastAPI(lifespan=life)
        other = FastAPI()
        other.router.add_event_handler("startup", warm)  # PBK201
        router = APIRouter()


        @router.on_event("startup")  # PBK201
        async def s() -> None: ...


        app.include_router(router)
        none = FastAPI(lifespan=None, on_startup=[warm])  # PBK201
        app = FastAPI()
        app.router.add_event_handler("startup", warm)  # PBK201
        """,
        PBK2,
    )


# -- PBK202 depends-as-default ---------------------------------------------------------


def test_pbk202_route_and_dependency_parameters_all_markers():
    assert_marked(
        """
        import fastapi
        from fastapi import Body, Cookie, Depends as D, File, Form, Header, Path, Query, Security

        app = fastapi.FastAPI()


        def dep(x: str = Header()) -> str:  # PBK202
            return x


        def dep2(c: str | None = Cookie(None), d: str = D(dep)) -> str:  # PBK202
            return d


        @app.post("/u/{uid}")
        async def upload(
            uid: int = Path(),  # PBK202
            q: str = Query("x"),  # PBK202
            body: dict = Body(),  # PBK202
            f: bytes = File(),  # PBK202
            name: str = Form(),  # PBK202
            s: str = Security(dep),  # PBK202
            t: str = fastapi.Depends(dep2),  # PBK202
            *,
            k: str = Query("k"),  # PBK202
        ) -> dict:
            return {}

        """,
        PBK2,
    )


def test_pbk202_is_opinionated_and_off_by_default():
    from python_backend_kit.catalog import bundled_rules
    from python_backend_kit.selection import enabled_codes

    assert "PBK202" not in enabled_codes(bundled_rules())


def test_pbk202_must_not_flag():
    assert_marked(
        """
        from typing import Annotated

        from fastapi import Depends, FastAPI, Query
        from mylib import Query as OtherQuery

        app = FastAPI()


        def dep() -> int:
            return 1


        Dep = Annotated[int, Depends(dep)]


        @app.get("/")
        async def root(a: Dep, q: Annotated[str | None, Query()] = None, o: str = OtherQuery()) -> dict:
            return {}


        def helper(q: str = Query("x")) -> str:  # not a path operation, not a dependency
            return q
        """,
        PBK2,
    )


# -- PBK203 session-created-in-route --------------------------------------------------------


def test_pbk203_factories_classes_aliases_and_sync_sessions():
    assert_marked(
        """
        from fastapi import APIRouter, FastAPI
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import AsyncSession as AS, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import Session, sessionmaker
        from sqlmodel import Session as ModelSession

        aengine = create_async_engine("postgresql+asyncpg://a@b/c", pool_pre_ping=True)
        factory = async_sessionmaker(aengine, expire_on_commit=False)
        engine = create_engine("postgresql+psycopg://a@b/c", pool_pre_ping=True)
        SessionLocal = sessionmaker(engine)
        app = FastAPI()
        router = APIRouter()


        @app.get("/a")
        async def a() -> int:
            async with factory() as s:  # PBK203
                return 1


        @router.get("/b")
        async def b() -> int:
            async with AS(aengine, expire_on_commit=False) as s:  # PBK203
                return 1


        @app.get("/c")
        def c() -> int:
            with SessionLocal() as s:  # PBK203
                return 1


        @app.get("/d")
        def d() -> int:
            with Session(engine) as s:  # PBK203
                return 1


        @app.get("/e")
        async def e() -> int:
            async with factory.begin() as s:  # PBK203
                return 1


        @app.get("/f")
        def f() -> int:
            with ModelSession(engine) as s:  # PBK203
                return 1
        """,
        PBK2,
    )


def test_pbk203_configured_factory():
    assert_marked(
        """
        from fastapi import FastAPI
        from myapp.db import make_session

        app = FastAPI()


        @app.get("/")
        async def root() -> int:
            async with make_session() as s:  # PBK203
                return 1
        """,
        PBK2,
        **{"session-factories": frozenset({"myapp.db.make_session"})},
    )


def test_pbk203_must_not_flag():
    assert_marked(
        """
        from collections.abc import AsyncIterator
        from typing import Annotated

        from fastapi import Depends, FastAPI
        from fastapi.responses import StreamingResponse
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from myapp.db import make_session

        engine = create_async_engine("postgresql+asyncpg://a@b/c", pool_pre_ping=True)
        factory = async_sessionmaker(engine, expire_on_commit=False)
        app = FastAPI()


        async def get_db() -> AsyncIterator[AsyncSession]:
            async with factory() as s:
                yield s


        async def job() -> None:
            async with factory() as s:
                await s.commit()


        @app.get("/")
        async def root(s: Annotated[AsyncSession, Depends(get_db)]) -> int:
            return 1


        @app.get("/injected")
        async def injected(make: async_sessionmaker) -> int:
            async with make() as s:
                return 1


        @app.get("/stream")
        async def stream() -> StreamingResponse:
            async def rows():
                async with factory() as s:
                    yield b"x"

            return StreamingResponse(rows())


        @app.get("/unknown")
        async def unknown() -> int:
            async with make_session() as s:  # not configured: unknown
                return 1


        @app.websocket("/ws")
        async def ws(websocket) -> None:
            async with factory() as s:
                await s.commit()
        """,
        PBK2,
    )


# -- PBK204 deprecated-json-response-class -----------------------------------------------------


def test_pbk204_every_reference_aliases_and_module_import():
    assert_marked(
        """
        import fastapi.responses
        from fastapi import APIRouter, FastAPI
        from fastapi.responses import ORJSONResponse as Fast  # PBK204

        app = FastAPI(default_response_class=Fast)  # PBK204
        router = APIRouter(default_response_class=fastapi.responses.UJSONResponse)  # PBK204


        @app.get("/x", response_class=Fast)  # PBK204
        async def x() -> dict:
            return {}


        @app.get("/y")
        async def y():
            return Fast({"a": 1})  # PBK204


        class Mine(fastapi.responses.ORJSONResponse):  # PBK204
            pass


        from fastapi.responses import (
            JSONResponse,
            UJSONResponse,  # PBK204
        )
        """,
        PBK2,
    )


def test_pbk204_one_finding_per_name_and_line():
    found = findings(
        "from fastapi.responses import ORJSONResponse, UJSONResponse\n"
        "x = (ORJSONResponse, ORJSONResponse, UJSONResponse)\n",
        ["PBK204"],
    )
    assert found == [(1, "PBK204"), (1, "PBK204"), (2, "PBK204"), (2, "PBK204")]


def test_pbk204_must_not_flag():
    assert_marked(
        """
        from fastapi.responses import JSONResponse
        from myproject.responses import ORJSONResponse
        from .responses import UJSONResponse


        class ProblemJSON(JSONResponse):
            media_type = "application/problem+json"


        def f():
            return ORJSONResponse({"a": 1}), UJSONResponse({})
        """,
        PBK2,
    )


# -- PBK205 cors-credentials-with-wildcard-origin ----------------------------------------------


def test_pbk205_every_configuration_form():
    assert_marked(
        """
        from fastapi import FastAPI
        from fastapi.middleware import Middleware as M
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware as Cors

        app = FastAPI(
            middleware=[Middleware(Cors, allow_origins=("*",), allow_credentials=True)]  # PBK205
        )
        app.add_middleware(Cors, allow_credentials=True, allow_origins=["https://a.example", "*"])  # PBK205
        app.add_middleware(  # PBK205
            Cors,
            allow_origin_regex=".*",
            allow_credentials=True,
        )
        app.add_middleware(Cors, allow_origin_regex=r"^.+$", allow_credentials=True)  # PBK205
        app.add_middleware(Cors, allow_origins="*", allow_credentials=True)  # PBK205
        wrapped = Cors(app, allow_origins={"*"}, allow_credentials=True)  # PBK205
        stack = [M(Cors, allow_origin_regex="(.*)", allow_credentials=True)]  # PBK205
        """,
        PBK2,
    )


def test_pbk205_must_not_flag():
    assert_marked(
        """
        import os

        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        from mylib import CORSMiddleware as OtherCors

        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["https://a.example"], allow_credentials=True)
        app.add_middleware(CORSMiddleware, allow_origins=["*"])
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)
        app.add_middleware(CORSMiddleware, allow_origin_regex=r"https://.*\\.example\\.com", allow_credentials=True)
        origins = os.environ["ORIGINS"].split(",")
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)
        app.add_middleware(OtherCors, allow_origins=["*"], allow_credentials=True)
        credentials = True
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=credentials)
        """,
        ["PBK205"],
    )


# -- PBK206 commit-after-yield ---------------------------------------------------------------


def test_pbk206_async_sync_finally_else_aliases():
    assert_marked(
        """
        from collections.abc import AsyncIterator, Iterator
        from typing import Annotated

        from fastapi import Depends as D
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import Session, sessionmaker

        aengine = create_async_engine("postgresql+asyncpg://a@b/c", pool_pre_ping=True)
        afactory = async_sessionmaker(aengine, expire_on_commit=False)
        SessionLocal = sessionmaker(create_engine("postgresql+psycopg://a@b/c", pool_pre_ping=True))


        async def get_a() -> AsyncIterator[AsyncSession]:
            async with afactory() as s:
                try:
                    yield s
                except Exception:
                    await s.rollback()
                    raise
                else:
                    await s.commit()  # PBK206


        def get_b() -> Iterator[Session]:
            s = SessionLocal()
            try:
                yield s
            finally:
                s.commit()  # PBK206
                s.close()


        async def get_conn():
            async with aengine.connect() as conn:
                yield conn
                await conn.commit()  # PBK206 the yielded name


        A = Annotated[AsyncSession, D(get_a)]
        B = Annotated[Session, D(get_b)]
        C = Annotated[object, D(get_conn)]
        """,
        PBK2,
    )


def test_pbk206_mixed_scopes_still_flag():
    assert_marked(
        """
        from collections.abc import AsyncIterator
        from typing import Annotated

        from fastapi import Depends
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

        engine = create_async_engine("postgresql+asyncpg://a@b/c", pool_pre_ping=True)
        factory = async_sessionmaker(engine, expire_on_commit=False)


        async def get_db() -> AsyncIterator[AsyncSession]:
            async with factory() as s:
                yield s
                await s.commit()  # PBK206


        Fn = Annotated[AsyncSession, Depends(get_db, scope="function")]
        Req = Annotated[AsyncSession, Depends(get_db)]
        """,
        PBK2,
    )


def test_pbk206_must_not_flag():
    assert_marked(
        """
        from collections.abc import AsyncIterator
        from typing import Annotated

        from fastapi import Depends
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

        engine = create_async_engine("postgresql+asyncpg://a@b/c", pool_pre_ping=True)
        factory = async_sessionmaker(engine, expire_on_commit=False)


        async def seeded() -> AsyncIterator[AsyncSession]:
            async with factory() as s:
                await s.commit()
                yield s


        async def plain() -> AsyncIterator[AsyncSession]:
            async with factory() as s:
                yield s
                await s.rollback()


        async def fn_scoped() -> AsyncIterator[AsyncSession]:
            async with factory() as s:
                yield s
                await s.commit()


        async def not_a_dependency() -> AsyncIterator[int]:
            async with factory() as s:
                yield 1
                await s.commit()


        async def other_commit(repo) -> AsyncIterator[int]:
            yield 1
            await repo.commit()  # not a session, not what was yielded
            git.commit()


        async def nested() -> AsyncIterator[AsyncSession]:
            async with factory() as s:
                yield s

                async def later() -> None:
                    await s.commit()  # a nested function, not the dependency's own exit code


        Seeded = Annotated[AsyncSession, Depends(seeded)]
        Plain = Annotated[AsyncSession, Depends(plain)]
        Fn = Annotated[AsyncSession, Depends(fn_scoped, scope="function")]
        Other = Annotated[int, Depends(other_commit)]
        Nested = Annotated[AsyncSession, Depends(nested)]
        """,
        PBK2,
    )


# -- PBK207 request-resource-outlives-request ----------------------------------------------------


def test_pbk207_create_task_with_injected_session():
    assert_marked(
        """
        import asyncio as aio
        from collections.abc import AsyncIterator
        from typing import Annotated

        import httpx
        from fastapi import Depends, FastAPI
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

        engine = create_async_engine("postgresql+asyncpg://a@b/c", pool_pre_ping=True)
        factory = async_sessionmaker(engine, expire_on_commit=False)
        app = FastAPI()
        keep: set = set()


        async def get_db() -> AsyncIterator[AsyncSession]:
            async with factory() as s:
                yield s


        async def get_client() -> AsyncIterator[httpx.AsyncClient]:
            async with httpx.AsyncClient() as c:
                yield c


        ClientDep = Annotated[httpx.AsyncClient, Depends(get_client)]


        async def work(session: AsyncSession) -> None: ...


        @app.post("/a")
        async def a(s: Annotated[AsyncSession, Depends(get_db)], c: ClientDep) -> None:
            keep.add(aio.create_task(work(s)))  # PBK207
            keep.add(aio.ensure_future(work(session=s)))  # PBK207
            loop = aio.get_running_loop()
            keep.add(loop.create_task(s.commit()))  # PBK207
            keep.add(aio.create_task(c.get("https://example.com")))  # PBK207 a yielded client


        @app.post("/b")
        async def b(s: AsyncSession) -> None:  # annotated as a session: injected somehow
            t = aio.create_task(work(s))  # awaited below: does not outlive the request
            keep.add(t)
            keep.add(aio.create_task(work(s)))  # PBK207 the set is never awaited
            other = aio.create_task(work(s))  # PBK207 another task is awaited, not this one
            await t
        """,
        PBK2,
    )


def test_pbk207_add_task_with_function_scoped_session():
    assert_marked(
        """
        from collections.abc import AsyncIterator
        from typing import Annotated

        from fastapi import BackgroundTasks, Depends, FastAPI
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from myapp.deps import get_remote_db

        engine = create_async_engine("postgresql+asyncpg://a@b/c", pool_pre_ping=True)
        factory = async_sessionmaker(engine, expire_on_commit=False)
        app = FastAPI()


        async def get_db() -> AsyncIterator[AsyncSession]:
            async with factory() as s:
                yield s


        FnSession = Annotated[AsyncSession, Depends(get_db, scope="function")]


        async def work(session: AsyncSession, n: int) -> None: ...


        @app.post("/b")
        async def b(
            bg: BackgroundTasks,
            s: FnSession,
            r: Annotated[AsyncSession, Depends(get_remote_db, scope="function")],
        ) -> None:
            bg.add_task(work, s, 1)  # PBK207
            bg.add_task(work, n=1, session=s)  # PBK207
            bg.add_task(work, r, 1)  # PBK207 dependency from another module, annotated as a session
        """,
        PBK2,
    )


def test_pbk207_must_not_flag():
    assert_marked(
        """
        import asyncio
        from collections.abc import AsyncIterator
        from typing import Annotated

        from fastapi import BackgroundTasks, Depends, FastAPI
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

        engine = create_async_engine("postgresql+asyncpg://a@b/c", pool_pre_ping=True)
        factory = async_sessionmaker(engine, expire_on_commit=False)
        app = FastAPI()
        keep: set = set()


        async def get_db() -> AsyncIterator[AsyncSession]:
            async with factory() as s:
                yield s


        def get_settings() -> dict:
            return {}


        async def work_id(n: int) -> None:
            async with factory() as s:
                await s.commit()


        async def work(session: AsyncSession) -> None: ...


        @app.post("/c")
        async def c(
            bg: BackgroundTasks,
            s: Annotated[AsyncSession, Depends(get_db)],
            settings: Annotated[dict, Depends(get_settings, scope="function")],
            n: int,
        ) -> None:
            keep.add(asyncio.create_task(work_id(n)))  # plain data
            bg.add_task(work_id, n)
            bg.add_task(work, s)  # default scope: closed after the background tasks
            bg.add_task(work, settings)  # not a yield-dependency: nothing is closed
            t = asyncio.create_task(work(s))
            await t
            await asyncio.create_task(work(s))
            await asyncio.gather(asyncio.create_task(work(s)))
            t2 = asyncio.create_task(work(s))
            await asyncio.wait([t2])
            async with asyncio.TaskGroup() as tg:
                tg.create_task(work(s))
            pending = []
            pending.append(asyncio.create_task(work(s)))
            await asyncio.gather(*pending)
            many = [asyncio.create_task(work(s)) for _ in range(3)]
            await asyncio.wait(many)
            await asyncio.gather(*[asyncio.create_task(work(s)) for _ in range(3)])


        async def helper(s: AsyncSession) -> None:  # neither a path operation nor a dependency
            keep.add(asyncio.create_task(work(s)))


        @app.post("/d")
        async def d(s: Annotated[AsyncSession, Depends(get_db)]) -> None:
            def later() -> None:
                keep.add(asyncio.create_task(work(s)))  # a nested function: its caller decides

            later()
        """,
        PBK2,
    )


# -- PBK208 tuple-response -----------------------------------------------------------------------


def test_pbk208_literals_constants_aliases():
    assert_marked(
        """
        import http
        from fastapi import FastAPI, status as st
        from starlette import status

        app = FastAPI()


        @app.post("/a")
        async def a():
            return {"ok": True}, 201  # PBK208


        @app.post("/b")
        def b():
            return ({"ok": True}, st.HTTP_202_ACCEPTED)  # PBK208


        @app.api_route("/c", methods=["GET"])
        async def c():
            if True:
                return "x", http.HTTPStatus.NOT_FOUND  # PBK208
            return "y", 200  # PBK208


        @app.get("/d")
        async def d():
            return "a", "b", status.HTTP_409_CONFLICT  # PBK208
        """,
        PBK2,
    )


def test_pbk208_must_not_flag():
    assert_marked(
        """
        from fastapi import FastAPI, HTTPException
        from fastapi.responses import JSONResponse

        app = FastAPI()


        def helper():
            return {"a": 1}, 201


        @app.get("/a", status_code=201)
        async def a():
            def inner():
                return "x", 201

            pick = lambda: ("y", 201)  # noqa: E731
            return {"a": inner(), "b": pick()}


        @app.get("/b")
        async def b():
            raise HTTPException(status_code=404)


        @app.get("/c")
        async def c():
            return JSONResponse({"a": 1}, status_code=201)


        @app.get("/d")
        async def d():
            return "name", "value"


        @app.get("/e")
        async def e():
            return "page", 1  # not a status code


        @app.get("/f")
        async def f(code: int):
            return "x", code  # not a literal
        """,
        PBK2,
    )


# -- PBK209 cors-middleware-not-outermost --------------------------------------------------------


def test_pbk209_later_middleware_that_answers_by_itself():
    assert_marked(
        """
        from fastapi import FastAPI
        from fastapi.middleware.trustedhost import TrustedHostMiddleware as Hosts
        from starlette.middleware.cors import CORSMiddleware as C
        from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware
        from starlette.responses import PlainTextResponse


        class RateLimit:
            def __init__(self, app):
                self.app = app

            async def __call__(self, scope, receive, send):
                await PlainTextResponse("slow down", status_code=429)(scope, receive, send)


        app = FastAPI()
        app.add_middleware(C, allow_origins=["https://a.example"])  # PBK209
        app.add_middleware(Hosts, allowed_hosts=["a.example"])

        second = FastAPI()
        second.add_middleware(C, allow_origins=["https://a.example"])  # PBK209
        second.add_middleware(RateLimit)

        third = FastAPI()
        third.add_middleware(C, allow_origins=["https://a.example"])  # PBK209
        third.add_middleware(HTTPSRedirectMiddleware)


        def create_app() -> FastAPI:
            api = FastAPI()
            api.add_middleware(C, allow_origins=["https://a.example"])  # PBK209

            @api.middleware("http")
            async def passthrough(request, call_next):
                return await call_next(request)

            @api.middleware("http")
            async def maintenance(request, call_next):
                return PlainTextResponse("later", status_code=503)

            return api
        """,
        PBK2,
    )


def test_pbk209_message_names_the_later_middleware():
    from python_backend_kit.catalog import bundled_rules
    from python_backend_kit.engine import Settings, check_source
    from python_backend_kit.messages import message_for

    source = (
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n"
        "from fastapi.responses import JSONResponse\n"
        "app = FastAPI()\napp.add_middleware(CORSMiddleware)\n"
        "@app.middleware('http')\nasync def gate(request, call_next):\n    return JSONResponse({}, status_code=401)\n"
    )
    found = check_source(source, Settings(codes=frozenset({"PBK209"})))
    assert "gate()" in message_for(found[0], bundled_rules())


def test_pbk209_must_not_flag():
    assert_marked(
        """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        from fastapi.middleware.gzip import GZipMiddleware
        from fastapi.middleware.trustedhost import TrustedHostMiddleware
        from starlette.middleware import Middleware
        from myapp.middleware import SecurityHeadersMiddleware, AnonymousCorsMiddleware


        class Limit:  # waits, never answers
            def __init__(self, app):
                self.app = app

            async def __call__(self, scope, receive, send):
                await self.app(scope, receive, send)


        app = FastAPI()
        other = FastAPI()
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=["a.example"])
        app.add_middleware(CORSMiddleware, allow_origins=["https://a.example"])
        other.add_middleware(TrustedHostMiddleware, allowed_hosts=["a.example"])

        third = FastAPI(middleware=[Middleware(CORSMiddleware, allow_origins=["https://a.example"]), Middleware(GZipMiddleware)])

        fourth = FastAPI()
        fourth.add_middleware(CORSMiddleware, allow_origins=["https://a.example"])
        fourth.add_middleware(GZipMiddleware)  # passes every request through
        fourth.add_middleware(SecurityHeadersMiddleware)  # imported: unknown
        fourth.add_middleware(AnonymousCorsMiddleware)
        fourth.add_middleware(Limit)


        @fourth.middleware("http")
        async def timing(request, call_next):
            response = await call_next(request)
            response.headers["x-time"] = "1"
            return response


        def setup_cors(api: FastAPI) -> None:
            api.add_middleware(CORSMiddleware, allow_origins=["https://a.example"])


        def setup_rest(api: FastAPI) -> None:
            api.add_middleware(TrustedHostMiddleware, allowed_hosts=["a.example"])  # another function
        """,
        PBK2,
    )
