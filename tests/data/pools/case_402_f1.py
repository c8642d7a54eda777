# 402-F1: aliases, sync and async, multi-line call (reported on first line)
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine as cae

e1 = cae("postgresql+asyncpg://db/app")  # PBK402
e2 = sa.create_engine(  # PBK402
    "postgresql://db/app",
    pool_size=10,
)
e3 = cae("postgresql+asyncpg://db/app", pool_pre_ping=False)  # an explicit value is a decision: silent
