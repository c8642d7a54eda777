"""Which files ``pbk check`` reads: like ruff, directories are walked and
caches, virtualenvs and build output skipped; files named explicitly are
always checked."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterable, Iterator

SKIPPED_DIRS = frozenset(
    {
        ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache",
        ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv",
        ".vscode", "__pycache__", "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules",
        "site-packages", "venv",
    }
)
SOURCE_SUFFIXES = (".py", ".pyi")


def _excluded(path: Path, patterns: Iterable[str]) -> bool:
    text = path.as_posix()
    return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(path.name, p) or fnmatch.fnmatch(text, f"*/{p}") for p in patterns)


def _is_virtualenv(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, "pyvenv.cfg"))


def discover(paths: Iterable[Path], exclude: Iterable[str] = ()) -> Iterator[Path]:
    exclude = list(exclude)
    seen: set[Path] = set()
    for root in paths:
        if root.is_file() or not root.exists():
            if root not in seen:  # explicit files are always checked (missing ones report E902)
                seen.add(root)
                yield root
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(
                d for d in dirs
                if d not in SKIPPED_DIRS and not d.endswith(".egg-info")
                and not _is_virtualenv(os.path.join(folder, d))
                and not _excluded(Path(folder, d), exclude)
            )
            for name in sorted(files):
                if name.endswith(SOURCE_SUFFIXES):
                    path = Path(folder, name)
                    if path not in seen and not _excluded(path, exclude):
                        seen.add(path)
                        yield path
