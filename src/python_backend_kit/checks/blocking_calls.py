"""The one table of blocking calls shared by PBK105 to PBK108.

Each entry maps a qualified name to the rule that flags it in async code
and what to call instead. Users add their own entries from configuration
(``blocking-calls``).
"""

from __future__ import annotations

from typing import NamedTuple


class BlockingCall(NamedTuple):
    code: str
    instead: str


BLOCKING_CALLS: dict[str, BlockingCall] = {
    "time.sleep": BlockingCall("PBK105", "await asyncio.sleep()"),
}


def lookup(qualname: str | None, extra: dict[str, BlockingCall] | None = None) -> BlockingCall | None:
    if qualname is None:
        return None
    if extra and qualname in extra:
        return extra[qualname]
    return BLOCKING_CALLS.get(qualname)
