"""A small blog API that follows every python-backend-kit rule.

Run it from this folder with ``uvicorn main:app``. What to look at:

- the lifespan creates the engine and the HTTP client once per process and
  closes both, in reverse order, even when start-up fails half-way;
- path operations get their session from a dependency and commit before
  they return; background work gets ids and opens its own session;
- concurrent work runs in a TaskGroup with one session per task;
- dependencies and parameters are declared with Annotated;
- CORS lists its origins and is added last, so it wraps every response.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, HTTPException, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

import services
from database import SessionDep, SessionMaker
from models import Base
from schemas import AuthorIn, AuthorOut, AuthorWithPosts, PostIn, PostOut, Stats
from settings import Settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    engine = create_async_engine(settings.database_url, pool_pre_ping=True)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)  # a real app runs migrations instead
        app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        async with httpx.AsyncClient(
            base_url=settings.quotes_url,
            timeout=httpx.Timeout(5.0, connect=2.0),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=5),
            transport=settings.quotes_transport,
        ) as quotes:
            app.state.quotes = quotes
            yield
    finally:
        await engine.dispose()


def get_quotes(request: Request) -> httpx.AsyncClient:
    return request.app.state.quotes


QuotesClient = Annotated[httpx.AsyncClient, Depends(get_quotes)]

router = APIRouter()


@router.post("/authors", status_code=status.HTTP_201_CREATED)
async def create_author(body: AuthorIn, session: SessionDep) -> AuthorOut:
    try:
        author = await services.create_author(session, body.name)
    except services.AuthorExists:
        raise HTTPException(status.HTTP_409_CONFLICT, f"author {body.name!r} exists") from None
    return AuthorOut.model_validate(author)


@router.get("/authors/{author_id}")
async def read_author(author_id: int, session: SessionDep) -> AuthorWithPosts:
    author = await services.author_with_posts(session, author_id)
    if author is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such author")
    return AuthorWithPosts.model_validate(author)


@router.post("/authors/{author_id}/posts", status_code=status.HTTP_201_CREATED)
async def create_post(
    author_id: int,
    body: PostIn,
    session: SessionDep,
    sessionmaker: SessionMaker,
    background: BackgroundTasks,
) -> PostOut:
    post = await services.add_post(session, author_id, body.title)
    if post is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such author")
    background.add_task(services.record_audit, sessionmaker, "post.created", post.id)
    return PostOut.model_validate(post)


@router.get("/stats")
async def read_stats(sessionmaker: SessionMaker, quotes: QuotesClient) -> Stats:
    return await services.stats(sessionmaker, quotes)


@router.get("/health")
async def health(session: SessionDep) -> dict[str, str]:
    try:
        async with asyncio.timeout(1.0):
            await session.execute(text("SELECT 1"))
    except TimeoutError:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "database timeout") from None
    return {"status": "ok"}


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="clean app", lifespan=lifespan)
    app.state.settings = settings
    app.include_router(router)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    # Added last = outermost: error responses of the middleware above carry CORS headers too.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_credentials=True,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization"],
    )
    return app


app = create_app(Settings.from_env())
