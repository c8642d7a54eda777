"""Which codes run: select / ignore / extend-select, as flake8 and ruff users expect.

* Nothing selected: every rule whose file says ``default: true``.
* A selector is a code prefix (``PBK``, ``PBK1``, ``PBK103``). Any explicit
  selector that matches a code turns it on, opinionated rules included, so
  ``--select PBK`` runs everything.
* Between a matching select and a matching ignore, the longer prefix wins;
  on a tie the ignore wins.
"""

from __future__ import annotations

import re
from typing import Iterable

from .catalog import Rule

INTERNAL_ERROR = "PBK000"
# reported by ``pbk check`` for files it cannot parse (E999) or read (E902), as flake8 does
BAD_INPUT_CODES = ("E902", "E999")
SELECTOR_PATTERN = re.compile(r"[A-Z]+[0-9]*")


class SelectionError(ValueError):
    pass


def _longest_match(code: str, selectors: Iterable[str]) -> int:
    return max((len(s) for s in selectors if code.startswith(s)), default=-1)


def validate_selectors(selectors: Iterable[str], known: Iterable[str], option: str) -> list[str]:
    """Reject selectors that are malformed or match no code pbk can report."""
    known = [*known, INTERNAL_ERROR, *BAD_INPUT_CODES]
    out = []
    for raw in selectors:
        selector = raw.strip().upper()
        if not selector:
            continue
        if selector == "ALL":
            selector = "PBK"
        if not SELECTOR_PATTERN.fullmatch(selector):
            raise SelectionError(f"{option}: {raw!r} is not a rule code or prefix")
        if not any(code.startswith(selector) for code in known):
            raise SelectionError(f"{option}: {raw!r} matches no python-backend-kit rule")
        out.append(selector)
    return out


def matches(code: str, selectors: Iterable[str]) -> bool:
    return any(code.startswith(s) for s in selectors)


def enabled_codes(
    rules: dict[str, Rule],
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
) -> frozenset[str]:
    extend_select = list(extend_select)
    ignore = list(ignore)
    explicit = None if select is None else list(select)
    enabled = set()
    for code in rules:
        chosen = _longest_match(code, (explicit or []) + extend_select)
        if explicit is None and chosen < 0:
            rule = rules[code]
            if rule.default:
                chosen = 0  # on by default, weaker than any explicit ignore
        if chosen >= 0 and chosen > _longest_match(code, ignore):
            enabled.add(code)
    # internal errors surface unless explicitly ignored: silence hides bugs
    if _longest_match(INTERNAL_ERROR, ignore) < 0:
        enabled.add(INTERNAL_ERROR)
    return frozenset(enabled)
