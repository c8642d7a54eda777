"""The HTTP side of the service, with the FastAPI anti-patterns: `pbk check` flags them.

Every flagged line carries a comment naming the rule.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import ORJSONResponse  # PBK204 deprecated since FastAPI 0.131
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_pre_ping=True)
async_session = async_sessionmaker(engine, expire_on_commit=False)
running: set[asyncio.Task[None]] = set()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


async def warm_cache() -> None:
    await asyncio.sleep(0)


app = FastAPI(lifespan=lifespan, default_response_class=ORJSONResponse)  # PBK204 the class again
app.add_middleware(  # PBK205, PBK209 any site can call the API with the user's cookies
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
)
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com"])


@app.on_event("startup")  # PBK201, PBK210 deprecated, and never runs next to lifespan=
async def startup() -> None:
    await warm_cache()


async def get_db() -> AsyncIterator[AsyncSession]:
    async with async_session() as session:
        yield session
        await session.commit()  # PBK206 runs after the client got its 201


SessionDep = Annotated[AsyncSession, Depends(get_db)]
ScopedSessionDep = Annotated[AsyncSession, Depends(get_db, scope="function")]


async def write_audit(session: AsyncSession, user_id: int) -> None:
    await session.execute(text("insert into audit (user_id) values (:u)"), {"u": user_id})


@app.post("/users/{user_id}", status_code=201)
async def create_user(user_id: int, session: SessionDep) -> dict[str, int]:
    await session.execute(text("insert into users (id) values (:u)"), {"u": user_id})
    task = asyncio.create_task(write_audit(session, user_id))  # PBK207 the session closes under it
    running.add(task)
    task.add_done_callback(running.discard)
    return {"id": user_id}


@app.post("/users/{user_id}/ping")
async def ping_user(user_id: int, bg: BackgroundTasks, session: ScopedSessionDep) -> dict[str, int]:
    bg.add_task(write_audit, session, user_id)  # PBK207 closed before the task starts
    return {"id": user_id}


@app.get("/users/count")
async def count_users() -> object:
    async with async_session() as session:  # PBK203 tests cannot replace this session
        total = await session.scalar(text("select count(*) from users"))
    return {"users": total}, 200  # PBK208 the client gets 200 and a JSON array
