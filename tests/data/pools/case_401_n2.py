# 401-N2: lifespan recognised only through FastAPI(lifespan=...) (name is not *lifespan)
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI


@asynccontextmanager
async def startup_shutdown(app):
    app.state.pool = await asyncpg.create_pool("postgresql://db/app")
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=startup_shutdown)
