# 401-F3: dependency (named in Depends inside Annotated) that yields a client it built
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI

app = FastAPI()


async def get_client():
    async with httpx.AsyncClient() as client:  # PBK401
        yield client


@app.get("/c")
async def c(client: Annotated[httpx.AsyncClient, Depends(get_client)]) -> int:
    return (await client.get("https://x.example")).status_code
