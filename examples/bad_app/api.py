"""The HTTP layer, written with the FastAPI anti-patterns pbk knows."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import ORJSONResponse  # PBK204 deprecated since FastAPI 0.131
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from db import User

engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_pre_ping=True)
Session = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield


app = FastAPI(lifespan=lifespan, default_response_class=ORJSONResponse)  # PBK204
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)  # PBK205, PBK209
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com"])  # its 400s carry no CORS headers


@app.on_event("startup")  # PBK210, PBK201 never runs: the app has a lifespan
async def warm_cache() -> None:
    await asyncio.sleep(0)


async def get_db() -> AsyncIterator[AsyncSession]:
    async with Session() as session:
        yield session
        await session.commit()  # PBK206 runs after the response: a failed commit looks like success


SessionDep = Annotated[AsyncSession, Depends(get_db)]
running: set[asyncio.Task] = set()


async def write_audit(session: AsyncSession, order_id: int) -> None:
    await session.execute(text("insert into audit (order_id) values (:o)"), {"o": order_id})
    await session.commit()


@app.get("/users/{user_id}")
async def read_user(user_id: int, session: AsyncSession = Depends(get_db)) -> dict:  # PBK202
    user = await session.get(User, user_id)
    return {"id": user_id, "name": user.name if user else None}


@app.get("/health/db")
async def db_health() -> dict[str, int]:
    async with Session() as session:  # PBK203 tests cannot override this session
        value = await session.scalar(text("select 1"))
    return {"db": value or 0}


@app.post("/orders/{order_id}/pay")
async def pay(order_id: int, session: SessionDep) -> dict[str, int]:
    task = asyncio.create_task(write_audit(session, order_id))  # PBK207 the session closes under the task
    running.add(task)
    task.add_done_callback(running.discard)
    return {"order": order_id}


@app.post("/items")
async def create_item() -> object:
    return {"id": 1}, 201  # PBK208 the client gets 200 and [{"id": 1}, 201]
