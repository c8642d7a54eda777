# 401-F4: sync dependency using create_engine (from-import alias); Depends as default is
# opinionated PBK202 -> use Annotated
from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy import create_engine as ce

app = FastAPI()


def get_engine():
    return ce("postgresql://db/app", pool_pre_ping=True)  # PBK401


@app.get("/d")
def d(engine: Annotated[object, Depends(get_engine)]) -> str:
    return str(engine)
