"""Qualified names that rules of several categories need."""

from __future__ import annotations

TASK_FACTORIES = frozenset({"asyncio.create_task", "asyncio.ensure_future", "asyncio.tasks.create_task", "asyncio.tasks.ensure_future"})
GATHER = frozenset({"asyncio.gather", "asyncio.tasks.gather"})
WAIT_FOR = frozenset({"asyncio.wait_for", "asyncio.tasks.wait_for"})
SHIELD = frozenset({"asyncio.shield", "asyncio.tasks.shield"})


def last_names(*groups: frozenset[str] | set[str] | dict[str, object]) -> frozenset[str]:
    """The last parts of qualified names: what a call of one of them ends in
    (for a check's ``calls``)."""
    return frozenset(name.rpartition(".")[2] for group in groups for name in group)
