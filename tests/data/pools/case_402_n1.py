# 402-N1
import sqlalchemy
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool, StaticPool

a = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
b = create_engine("postgresql://db/app", poolclass=NullPool)
c = create_engine("sqlite://", poolclass=StaticPool)
d = create_async_engine("sqlite+aiosqlite:///./dev.db")
e = create_engine("sqlite:///:memory:")
f = create_async_engine("postgresql+asyncpg://db/app", poolclass=sqlalchemy.pool.NullPool)
