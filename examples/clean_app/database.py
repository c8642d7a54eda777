"""Sessions: one per request from a yield-dependency, one per task from
the factory. The engine and the factory live on app.state (created and
disposed by the lifespan in main.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.sessionmaker


SessionMaker = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]


async def get_session(sessionmaker: SessionMaker) -> AsyncIterator[AsyncSession]:
    # Opens and closes the request's session; closing rolls back anything
    # not committed. No commit after the yield: that code runs after the
    # response is sent, so a failed commit would still look like success.
    async with sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
