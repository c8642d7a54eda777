"""The HTTP side of the service written correctly: `pbk check` is silent."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_pre_ping=True)
async_session = async_sessionmaker(engine, expire_on_commit=False)


async def warm_cache() -> None:
    pass


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await warm_cache()
    try:
        yield
    finally:
        await engine.dispose()


app = FastAPI(lifespan=lifespan)
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com"])
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_credentials=True,
)


async def get_db() -> AsyncIterator[AsyncSession]:
    async with async_session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


class UserOut(BaseModel):
    id: int


async def write_audit(user_id: int) -> None:
    async with async_session() as session:
        await session.execute(text("insert into audit (user_id) values (:u)"), {"u": user_id})
        await session.commit()


@app.post("/users/{user_id}", status_code=status.HTTP_201_CREATED)
async def create_user(user_id: int, session: SessionDep, bg: BackgroundTasks) -> UserOut:
    await session.execute(text("insert into users (id) values (:u)"), {"u": user_id})
    await session.commit()
    bg.add_task(write_audit, user_id)
    return UserOut(id=user_id)


@app.get("/users/count")
async def count_users(session: SessionDep) -> dict[str, int]:
    total = await session.scalar(text("select count(*) from users"))
    return {"users": total or 0}
