# 401-N5: locally rebound name no longer resolves
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

app = FastAPI()


def get_shared(url: str):
    return url


@app.get("/")
async def root() -> str:
    create_async_engine = get_shared  # noqa: F811 - rebinding on purpose
    return create_async_engine("postgresql+asyncpg://db/app")
