"""Which files ``pbk check`` reads, the way ruff chooses them.

* Directories are walked (in sorted order) for ``*.py`` and ``*.pyi`` files.
* Skipped while walking: version-control and tool folders (``.git``, caches),
  virtualenvs (any folder with a ``pyvenv.cfg``, plus the usual names),
  ``build/`` and ``dist/``, the ``exclude`` patterns, and, inside a git
  repository, everything its ignore files (``.gitignore``, ``.git/info/exclude``,
  the global excludes file) match. Like ruff, ignore patterns apply whether or
  not a file is tracked, and only inside a git repository.
* Paths named on the command line are always checked, even when a rule above
  would skip them; only what lies below a named directory is filtered. With
  ``force_exclude`` (``--force-exclude``, as the pre-commit hook passes it),
  named files are filtered too by the folder names above and by ``exclude``.

git itself answers the ignore question (one ``git ls-files`` per repository
and walked root); without a usable git, a small matcher reads the ignore files.
"""

from __future__ import annotations

import fnmatch
import os
import re
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
_GIT_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX")


class Excluder:
    """``exclude`` patterns, ruff-style: a pattern without ``/`` matches a file or
    folder name anywhere; one with ``/`` matches the path relative to *root*
    (``*`` stays within one folder, ``**`` crosses folders)."""

    def __init__(self, patterns: Iterable[str], root: Path | None = None) -> None:
        self.root = os.path.abspath(root or os.getcwd())
        self.names: list[str] = []
        self.paths: list[re.Pattern[str]] = []
        for raw in patterns:
            pattern = raw.strip().rstrip("/")
            if pattern.startswith("./"):
                pattern = pattern[2:]
            if not pattern:
                continue
            if "/" in pattern:
                self.paths.append(re.compile(_glob_to_regex(pattern)))
            else:
                self.names.append(pattern)

    def __bool__(self) -> bool:
        return bool(self.names or self.paths)

    def __call__(self, path: str) -> bool:
        name = os.path.basename(path)
        if any(fnmatch.fnmatchcase(name, p) for p in self.names):
            return True
        if self.paths:
            rel = os.path.relpath(path, self.root).replace(os.sep, "/")
            return any(p.fullmatch(rel) for p in self.paths)
        return False


# -- .gitignore ----------------------------------------------------------


def _repo_top(folder: str, cache: dict[str, str | None]) -> str | None:
    """The nearest folder at or above *folder* that holds a ``.git`` entry."""
    seen = []
    current = folder
    while True:
        if current in cache:
            top = cache[current]
            break
        seen.append(current)
        if os.path.exists(os.path.join(current, ".git")):
            top = current
            break
        parent = os.path.dirname(current)
        if parent == current:
            top = None
            break
        current = parent
    for f in seen:
        cache[f] = top
    return top


def _git_ignored(top: str, spec: str) -> tuple[set[str], set[str]] | None:
    """(ignored folders, ignored files) under *spec*, from git; None if git cannot tell."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROP}
    try:
        proc = subprocess.run(
            ["git", "-C", top, "ls-files", "-z", "--cached", "--others", "--ignored", "--exclude-standard", "--directory", "--", spec],
            capture_output=True,
            env=env,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    folders: set[str] = set()
    files: set[str] = set()
    for entry in proc.stdout.split(b"\0"):
        if entry:
            text = os.fsdecode(entry)
            target = folders if text.endswith("/") else files
            target.add(os.path.normpath(os.path.join(top, text)))
    return folders, files


class _Pattern:
    __slots__ = ("base", "regex", "negate", "folder_only", "anchored")

    def __init__(self, line: str, base: str) -> None:
        self.base = base
        self.negate = line.startswith("!")
        if self.negate:
            line = line[1:]
        self.folder_only = line.endswith("/")
        line = line.strip("/") if self.folder_only else line
        self.anchored = "/" in line
        line = line.lstrip("/")
        self.regex = re.compile(_glob_to_regex(line))

    def matches(self, path: str, is_folder: bool) -> bool:
        if self.folder_only and not is_folder:
            return False
        rel = os.path.relpath(path, self.base).replace(os.sep, "/")
        if rel.startswith("../"):
            return False
        return bool(self.regex.fullmatch(rel if self.anchored else rel.rsplit("/", 1)[-1]))


def _glob_to_regex(glob: str) -> str:
    out = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            break
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = glob[i + 1 : end]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
                i = end
        elif c == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _read_patterns(path: str, base: str) -> list[_Pattern]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return []
    patterns = []
    for line in lines:
        line = line.rstrip()
        if line and not line.startswith("#"):
            patterns.append(_Pattern(line, base))
    return patterns


class _FallbackMatcher:
    """Reads ``.gitignore`` files itself, for when git is missing or refuses."""

    def __init__(self, top: str) -> None:
        self.top = top
        self.by_folder: dict[str, list[_Pattern]] = {}
        self.root_patterns = _read_patterns(os.path.join(top, ".git", "info", "exclude"), top)

    def _patterns(self, folder: str) -> list[_Pattern]:
        found = self.by_folder.get(folder)
        if found is None:
            found = _read_patterns(os.path.join(folder, ".gitignore"), folder)
            self.by_folder[folder] = found
        return found

    def ignored(self, path: str, is_folder: bool) -> bool:
        chain = []
        folder = os.path.dirname(path)
        while True:
            chain.append(folder)
            if folder == self.top or os.path.dirname(folder) == folder:
                break
            folder = os.path.dirname(folder)
        result = False
        for pattern in [*self.root_patterns, *(p for f in reversed(chain) for p in self._patterns(f))]:
            if pattern.matches(path, is_folder):
                result = not pattern.negate
        return result


class GitIgnore:
    """Answers "does git ignore this?" for paths below one walked root."""

    def __init__(self) -> None:
        self.tops: dict[str, str | None] = {}
        self.folders: set[str] = set()
        self.files: set[str] = set()
        self.fallbacks: dict[str, _FallbackMatcher] = {}
        self.asked: set[str] = set()

    def start(self, root: str) -> bool:
        """Learn the ignored paths under *root*; False when *root* itself is ignored
        (named explicitly, so ruff would check everything in it)."""
        top = _repo_top(root, self.tops)
        if top is None:
            return True
        self._ask(top, root)
        return not any(root == f or root.startswith(f + os.sep) for f in self.folders)

    def _ask(self, top: str, root: str) -> None:
        key = f"{top}\0{root}"
        if key in self.asked:
            return
        self.asked.add(key)
        answer = _git_ignored(top, os.path.relpath(root, top))
        if answer is None:
            self.fallbacks.setdefault(top, _FallbackMatcher(top))
            return
        self.folders |= answer[0]
        self.files |= answer[1]

    def enter(self, folder: str) -> None:
        """A walked folder that is a repository of its own (a nested clone, a submodule)."""
        self.tops[folder] = folder
        self._ask(folder, folder)

    def ignored(self, path: str, is_folder: bool) -> bool:
        if (path in self.folders) if is_folder else (path in self.files):
            return True
        if self.fallbacks:
            top = _repo_top(os.path.dirname(path), self.tops)
            matcher = self.fallbacks.get(top) if top else None
            if matcher is not None:
                return matcher.ignored(path, is_folder)
        return False


def _is_virtualenv(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, "pyvenv.cfg"))


def _skipped_folder(full: str, name: str, excluded: Excluder) -> bool:
    return (
        name in SKIPPED_DIRS or name.endswith(".egg-info") or _is_virtualenv(full)
        or bool(excluded and excluded(full))
    )


def force_excluded(path: Path, excluded: Excluder) -> bool:
    """Would the walk have skipped this named file? Only folders below the project
    root count, so a checkout that happens to live in ``~/build`` is not skipped."""
    full = os.path.abspath(path)
    if excluded and excluded(full):
        return True
    root = excluded.root
    folder = os.path.dirname(full)
    while folder.startswith(root + os.sep):
        if _skipped_folder(folder, os.path.basename(folder), excluded):
            return True
        folder = os.path.dirname(folder)
    return False


def discover(
    paths: Iterable[Path],
    exclude: Iterable[str] = (),
    respect_gitignore: bool = True,
    root: Path | None = None,
    force_exclude: bool = False,
) -> Iterator[Path]:
    """The files to check, each once: named files first-come, walked ones in sorted order."""
    excluded = Excluder(exclude, root)
    seen: set[str] = set()
    for given in paths:
        if os.path.isfile(given) or not os.path.exists(given):
            key = os.path.abspath(given)
            if key in seen or (force_exclude and force_excluded(given, excluded)):
                continue
            seen.add(key)  # named files are checked (missing ones report E902)
            yield given
            continue
        start = os.path.abspath(given)
        git = GitIgnore() if respect_gitignore else None
        use_git = git is not None and git.start(start)
        for folder, dirs, files in os.walk(given):
            absolute = os.path.abspath(folder)
            kept = []
            for d in sorted(dirs):
                full = os.path.join(absolute, d)
                if _skipped_folder(full, d, excluded):
                    continue
                if use_git:
                    if git.ignored(full, True):  # type: ignore[union-attr]
                        continue
                    if os.path.exists(os.path.join(full, ".git")):
                        git.enter(full)  # type: ignore[union-attr]
                kept.append(d)
            dirs[:] = kept
            for name in sorted(files):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                full = os.path.join(absolute, name)
                if full in seen or (excluded and excluded(full)):
                    continue
                if use_git and git.ignored(full, False):  # type: ignore[union-attr]
                    continue
                seen.add(full)
                yield Path(folder, name)
