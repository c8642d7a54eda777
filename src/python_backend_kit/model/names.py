"""Qualified names through imports.

``import asyncio as aio; aio.gather`` and ``from asyncio import gather as g;
g`` both resolve to ``asyncio.gather``. A name bound any other way
(assignment, parameter, ``def``, loop target ...) resolves to nothing, so a
local ``gather = my_gather`` hides the import from then on.
"""

from __future__ import annotations

import ast
import builtins
from typing import Iterable

BUILTIN_NAMES = frozenset(dir(builtins))
# Longer attribute chains (``a.b.c ...`` with thousands of parts, which only
# generated code has) resolve to nothing: walking them for every node of the
# chain would take time quadratic in its length.
MAX_DOTTED_PARTS = 64


def bind_import(bindings: dict[str, str | None], node: ast.Import) -> None:
    for alias in node.names:
        if alias.asname:
            bindings[alias.asname] = alias.name
        else:
            # `import a.b.c` binds `a`, which resolves to the package `a`
            top = alias.name.partition(".")[0]
            bindings[top] = top


def bind_import_from(bindings: dict[str, str | None], node: ast.ImportFrom, package: str | None = None) -> None:
    module = node.module or ""
    if node.level:
        # relative imports name the project's own modules; keep them apart
        # from third-party names by a leading dot so they never match
        module = "." * node.level + module
    for alias in node.names:
        if alias.name == "*":
            continue
        local = alias.asname or alias.name
        bindings[local] = f"{module}.{alias.name}" if module else alias.name


def dotted_parts(expr: ast.expr) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"]; None for anything that is not a dotted name."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        if len(parts) == MAX_DOTTED_PARTS:
            return None
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    parts.reverse()
    return parts


def last_name(expr: ast.expr) -> str | None:
    """``f`` for ``f``, ``m.f`` or ``a.b.f``; None for any other expression."""
    cls = expr.__class__
    if cls is ast.Name:
        return expr.id  # type: ignore[attr-defined]
    if cls is ast.Attribute:
        return expr.attr  # type: ignore[attr-defined]
    return None


def covering_texts(names: set[str] | frozenset[str]) -> tuple[str, ...]:
    """*names* without those that contain another (a text search for the
    shorter one finds both), sorted: for a check's ``needs_text``."""
    return tuple(sorted(name for name in names if not any(other != name and other in name for other in names)))


def texts_by_module(qualnames: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The covering texts of the last names of *qualnames*, by top-level
    module: such a name can mean that object only in a file importing its
    module (``needs_text_too={module: texts}``)."""
    names: dict[str, set[str]] = {}
    for qualname in qualnames:
        names.setdefault(qualname.partition(".")[0], set()).add(qualname.rpartition(".")[2])
    return {module: covering_texts(found) for module, found in sorted(names.items())}


def parse_annotation(text: str) -> ast.expr | None:
    """The expression a string annotation holds (``x: "AsyncSession"``); None when it does not parse."""
    try:
        return ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # ValueError: NUL characters on 3.10
        return None
