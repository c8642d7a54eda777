# 403-F3: close in finally but not awaited (also PBK409 on the close line)
from contextlib import asynccontextmanager

import aiohttp
from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    session = aiohttp.ClientSession()  # PBK403
    app.state.http = session
    try:
        yield
    finally:
        session.close()  # PBK409


app = FastAPI(lifespan=lifespan)
