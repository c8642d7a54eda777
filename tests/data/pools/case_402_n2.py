# 402-N2: kwargs spread cannot be checked -> stay silent
from sqlalchemy.ext.asyncio import create_async_engine

OPTS = {"pool_pre_ping": True}
engine = create_async_engine("postgresql+asyncpg://db/app", **OPTS)
