"""Request and response bodies. Declared return types let FastAPI validate
and serialize responses with Pydantic (no ORJSONResponse needed)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AuthorIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class PostIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class PostOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    author_id: int


class AuthorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class AuthorWithPosts(AuthorOut):
    posts: list[PostOut]


class Stats(BaseModel):
    authors: int
    posts: int
    quote: str | None
