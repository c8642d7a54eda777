"""The checks, one module per rule category.

Importing a category module registers its checks in
:data:`registry.REGISTRY`. A new rule goes into the module of its category
(asyncio: PBK1xx, fastapi: PBK2xx, sqlalchemy: PBK3xx, pools: PBK4xx).
"""

from __future__ import annotations

import importlib

CATEGORY_MODULES = ("asyncio", "fastapi", "sqlalchemy", "pools")
_loaded = False


def load_checks() -> None:
    global _loaded
    if _loaded:
        return
    for name in CATEGORY_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    _loaded = True
