"""Business logic. Functions that write commit before they return, so a
failed commit becomes an error response."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from models import AuditEntry, Author, Post
from schemas import Stats


class AuthorExists(Exception):
    pass


async def create_author(session: AsyncSession, name: str) -> Author:
    author = Author(name=name)
    session.add(author)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise AuthorExists(name) from None
    return author


async def author_with_posts(session: AsyncSession, author_id: int) -> Author | None:
    stmt = select(Author).where(Author.id == author_id).options(selectinload(Author.posts))
    return await session.scalar(stmt)


async def add_post(session: AsyncSession, author_id: int, title: str) -> Post | None:
    if await session.get(Author, author_id) is None:
        return None
    post = Post(author_id=author_id, title=title)
    session.add(post)
    await session.commit()
    return post


async def record_audit(sessionmaker: async_sessionmaker[AsyncSession], action: str, post_id: int) -> None:
    """Runs after the response: gets ids, opens its own session."""
    async with sessionmaker() as session:
        session.add(AuditEntry(action=action, post_id=post_id))
        await session.commit()


async def count_rows(sessionmaker: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessionmaker() as session:  # one session per task
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def fetch_quote(client: httpx.AsyncClient) -> str | None:
    try:
        async with asyncio.timeout(2.0):
            response = await client.get("/quote")
            response.raise_for_status()
    except (TimeoutError, httpx.HTTPError):
        return None
    return response.json().get("text")


async def stats(sessionmaker: async_sessionmaker[AsyncSession], quotes: httpx.AsyncClient) -> Stats:
    # Independent work runs concurrently in a TaskGroup: if one part fails,
    # the others are cancelled and nothing is left running.
    async with asyncio.TaskGroup() as tg:
        authors = tg.create_task(count_rows(sessionmaker, Author))
        posts = tg.create_task(count_rows(sessionmaker, Post))
        quote = tg.create_task(fetch_quote(quotes))
    return Stats(authors=authors.result(), posts=posts.result(), quote=quote.result())
