# 402-F2: URL from a variable (not a SQLite literal)
from sqlalchemy.ext.asyncio import create_async_engine

URL = "sqlite+aiosqlite:///x.db"
engine = create_async_engine(URL)  # PBK402
