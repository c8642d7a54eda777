# 403-F4: lifespan given by keyword to Starlette, resource in a local variable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette


@asynccontextmanager
async def startup_shutdown(app):
    engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)  # PBK403
    app.state.engine = engine
    yield


app = Starlette(lifespan=startup_shutdown)
