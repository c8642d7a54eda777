"""Configuration, read once at start-up; tests build their own."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite+aiosqlite:///./clean_app.db"
    quotes_url: str = "https://quotes.example.com"
    cors_origins: tuple[str, ...] = ("https://app.example.com",)
    # Tests replace the network with httpx.MockTransport.
    quotes_transport: httpx.AsyncBaseTransport | None = field(default=None, compare=False)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("DATABASE_URL", cls.database_url),
            quotes_url=os.environ.get("QUOTES_URL", cls.quotes_url),
        )
