"""The skill bundle: which files it has, and installing it into an agent's
skills folder.

The bundle is SKILL.md plus the folders rules/, checklists/, references/
and examples/ (see :mod:`.bundle_paths` for where it lives). An install
copies exactly those files into ``<skills folder>/python-backend-kit``.

Installing is idempotent: an identical copy is left alone, an older copy of
this skill (recognised by its SKILL.md frontmatter) is replaced, and any other
folder of the same name is refused unless ``force`` is set.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .bundle_paths import BUNDLE_PARTS, bundle_root

SKILL_NAME = "python-backend-kit"
HOMEPAGE = "https://github.com/python-backend-kit/python-backend-kit"

# Where each agent reads skills: (project folder relative to the project
# root, user folder relative to the home directory).
AGENTS: dict[str, tuple[str, str]] = {
    "claude": (".claude/skills", ".claude/skills"),  # Claude Code
    "agents": (".agents/skills", ".agents/skills"),  # Codex, Gemini CLI, Copilot, Cursor, OpenCode
    "codex": (".agents/skills", ".agents/skills"),
    "cursor": (".cursor/skills", ".cursor/skills"),
    "gemini": (".gemini/skills", ".gemini/skills"),
    "copilot": (".github/skills", ".copilot/skills"),
    "opencode": (".opencode/skills", ".config/opencode/skills"),
}

# Skill installers drop these names; the bundle must not rely on them.
FORBIDDEN_NAMES = frozenset({"README.md", "metadata.json"})
_JUNK_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".venv", "venv"})
_JUNK_SUFFIXES = (".pyc", ".pyo", ".db", ".sqlite", ".sqlite3")


class SkillInstallError(Exception):
    """The install cannot go ahead; the message says why and what to do."""


def _is_junk(relative: Path) -> bool:
    parts = relative.parts
    return (
        any(p in _JUNK_DIRS or p.startswith(".") for p in parts)
        or relative.name.endswith(_JUNK_SUFFIXES)
    )


def bundle_files(root: Path | None = None) -> list[Path]:
    """The skill's files, relative to *root* (default: the installed bundle).

    Caches, compiled files, local databases and dotfiles (``.gitkeep``) are
    not part of the skill.
    """
    root = root or bundle_root()
    files: list[Path] = []
    for part in BUNDLE_PARTS:
        path = root / part
        if path.is_file():
            files.append(Path(part))
        elif path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(root)
                if file.is_file() and not _is_junk(relative):
                    files.append(relative)
    return files


def forbidden_files(files: list[Path]) -> list[Path]:
    """Files an installer would drop: README.md, metadata.json, ``_*``."""
    return [f for f in files if f.name in FORBIDDEN_NAMES or any(p.startswith("_") for p in f.parts)]


def skills_folder(agent: str, user: bool, project: Path | None = None, home: Path | None = None) -> Path:
    """The folder an agent reads skills from (the skill goes in a subfolder)."""
    if agent not in AGENTS:
        raise SkillInstallError(f"unknown agent {agent!r}; choose one of {', '.join(AGENTS)}")
    project_folder, user_folder = AGENTS[agent]
    if user:
        return (home or Path.home()) / user_folder
    return (project or Path.cwd()) / project_folder


def _frontmatter(folder: Path) -> dict:
    """The YAML frontmatter of a folder's SKILL.md ({} when unreadable)."""
    try:
        text = (folder / "SKILL.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    end = text.find("\n---", 4)
    if not text.startswith("---\n") or end == -1:
        return {}
    try:
        meta = yaml.safe_load(text[4:end])
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def skill_name_of(folder: Path) -> str | None:
    """The ``name`` in a folder's SKILL.md frontmatter, if it has one."""
    name = _frontmatter(folder).get("name")
    return name if isinstance(name, str) else None


def is_this_skill(folder: Path) -> bool:
    """A copy of this skill (any version): same name and same homepage."""
    meta = _frontmatter(folder)
    metadata = meta.get("metadata")
    return meta.get("name") == SKILL_NAME and isinstance(metadata, dict) and metadata.get("homepage") == HOMEPAGE


def _same_tree(source: Path, files: list[Path], target: Path) -> bool:
    installed = [p.relative_to(target) for p in sorted(target.rglob("*")) if p.is_file()]
    if sorted(installed) != sorted(files):
        return False
    return all(filecmp.cmp(source / f, target / f, shallow=False) for f in files)


@dataclass(frozen=True)
class InstallResult:
    path: Path
    status: str  # "installed", "updated", "unchanged", "replaced"
    files: int


def install(folder: Path, force: bool = False, source: Path | None = None) -> InstallResult:
    """Copy the skill into ``folder/python-backend-kit``.

    *folder* is an agent's skills folder (see :func:`skills_folder`) or any
    directory given with ``--dest``.
    """
    source = source or bundle_root()
    files = bundle_files(source)
    if not (source / "SKILL.md").is_file():
        raise SkillInstallError(f"{source}: SKILL.md is missing; the installation is incomplete")
    target = folder / SKILL_NAME

    status = "installed"
    if target.is_symlink() or target.exists():
        if target.is_symlink() or not target.is_dir():
            if not force:
                raise SkillInstallError(
                    f"{target} exists and is not a folder this command installed; "
                    "remove it or pass --force to replace it"
                )
            status = "replaced"
        elif _same_tree(source, files, target):
            return InstallResult(target, "unchanged", len(files))
        elif is_this_skill(target):
            status = "updated"
        elif not force:
            found = skill_name_of(target)
            what = f"a different skill named {found!r}" if found else "a folder that is not this skill"
            raise SkillInstallError(f"{target} holds {what}; pass --force to replace it")
        else:
            status = "replaced"

    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{SKILL_NAME}-", dir=folder))
    try:
        for relative in files:
            destination = staging / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / relative, destination)
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{SKILL_NAME}-old-", dir=folder))
            os.replace(target, old / SKILL_NAME)
            shutil.rmtree(old)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return InstallResult(target, status, len(files))

