"""Models and data access, written with the SQLAlchemy async anti-patterns
pbk knows."""

import asyncio
import sqlite3

from sqlalchemy import ForeignKey, String
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

engine = create_async_engine("postgresql+asyncpg://app@db/app")  # PBK402 dead connections fail requests
async_session = async_sessionmaker(engine)  # PBK301 reading after commit raises MissingGreenlet
session = async_session()  # PBK305 one session shared by every request


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    orders: Mapped[list["Order"]] = relationship(back_populates="user")  # PBK302 lazy load: MissingGreenlet


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user: Mapped[User] = relationship(back_populates="orders", lazy="raise")


async def load_users(ids: list[int]) -> list:
    async with async_session() as s:
        return await asyncio.gather(*[s.get(User, i) for i in ids])  # PBK303, PBK101 one session, many tasks


async def export_report() -> list:
    connection = sqlite3.connect("reports.db")  # PBK304 a sync driver blocks the loop
    try:
        return connection.execute("select * from report").fetchall()
    finally:
        connection.close()


async def rename_user(user_id: int, name: str) -> None:
    s = async_session()  # PBK306 never closed: the connection leaks
    user = await s.get(User, user_id)
    if user is not None:
        user.name = name
        await s.commit()


async def delete_user(user_id: int) -> None:
    async with async_session() as s:
        user = await s.get(User, user_id)
        await s.delete(user)
        s.commit()  # PBK307 never awaited: nothing is written


async def add_user(name: str) -> User:
    async with async_session() as s:
        user = User(name=name)
        await s.add(user)  # PBK308 add() returns None: TypeError
        await s.commit()
        return user


async def count_users() -> int:
    async with async_session() as s:
        return s.query(User).count()  # PBK309 AsyncSession has no query()


async def import_users(names: list[str]) -> None:
    async with async_session() as s:
        for name in names:
            s.add(User(name=name))
            await s.flush()  # PBK310 one round trip per row
        await s.commit()
