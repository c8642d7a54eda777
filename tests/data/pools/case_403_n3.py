# 403-N3: nested sync helper inside the lifespan is not the lifespan; resources outside
# lifespans are not PBK403's business (PBK401/PBK404 own them)
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


def build_limits():
    return httpx.Limits(max_connections=50)


@asynccontextmanager
async def lifespan(app: FastAPI):
    def helper():
        return httpx.AsyncClient(limits=build_limits())

    async with helper() as client:
        app.state.http = client
        yield


app = FastAPI(lifespan=lifespan)
