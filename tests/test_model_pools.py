"""Receiver kinds added for the pools rules (PBK4xx)."""

from __future__ import annotations

from test_model import kinds


def test_redis_from_pool_blocking_pool_and_httpx2_kinds():
    assert kinds(
        """
        import httpx2
        import redis.asyncio as redis
        from redis.asyncio.utils import from_url

        async def f():
            pool = redis.BlockingConnectionPool(max_connections=10)
            probe(pool)
            r = redis.Redis.from_pool(pool)
            probe(r)
            probe(from_url("redis://"))
            client = httpx2.AsyncClient()
            probe(client)
        """
    ) == ["redis.asyncio.ConnectionPool", "redis.asyncio.Redis", "redis.asyncio.Redis", "httpx.AsyncClient"]


def test_sync_redis_and_unrelated_pools_have_no_async_kind():
    assert kinds(
        """
        import redis
        from psycopg_pool import ConnectionPool

        def f():
            probe(redis.Redis.from_pool(redis.ConnectionPool()))
            probe(ConnectionPool("postgresql://"))
        """
    ) == [None, None]
