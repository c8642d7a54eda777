# 401-N6: a project's own `create_pool` helper (not asyncpg's)
from fastapi import FastAPI

from myapp.db import create_pool

app = FastAPI()


@app.get("/")
async def root() -> str:
    pool = await create_pool()
    return str(pool)
