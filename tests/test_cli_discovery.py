"""Which files pbk check reads: like ruff (walk, skip ignored/venv/build/.git, named paths always)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from python_backend_kit.cli import discovery
from python_backend_kit.cli.discovery import Excluder, GitIgnore, discover

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def found(top: Path, *paths: str, **kwargs) -> list[str]:
    given = [top / p for p in paths] if paths else [top]
    return [Path(os.path.relpath(p, top)).as_posix() for p in discover(given, **kwargs)]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def tree(tmp_path):
    touch(
        tmp_path,
        "app.py", "stubs.pyi", "notes.txt", "pkg/mod.py", "pkg/sub/deep.py",
        ".venv/lib/x.py", "venv/x.py", "env/x.py", "build/lib/x.py", "dist/x.py", ".git/hooks/x.py",
        "__pycache__/x.py", "node_modules/x.py", ".tox/x.py", "thing.egg-info/x.py", ".mypy_cache/x.py",
    )
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")  # a virtualenv with any name
    return tmp_path


def test_walk_skips_tool_folders_virtualenvs_and_build_output(tree):
    assert found(tree) == ["app.py", "stubs.pyi", "pkg/mod.py", "pkg/sub/deep.py"]


def test_named_paths_are_always_checked(tree):
    assert found(tree, "build/lib/x.py", "notes.txt", "missing.py") == ["build/lib/x.py", "notes.txt", "missing.py"]


def test_each_file_once(tree):
    assert found(tree, "pkg", "pkg/mod.py", "pkg/sub") == ["pkg/mod.py", "pkg/sub/deep.py"]


def test_exclude_patterns(tree):
    assert found(tree, exclude=["sub"], root=tree) == ["app.py", "stubs.pyi", "pkg/mod.py"]
    assert found(tree, exclude=["pkg/*.py"], root=tree) == ["app.py", "stubs.pyi", "pkg/sub/deep.py"]
    assert found(tree, exclude=["*.pyi", "**/deep.py"], root=tree) == ["app.py", "pkg/mod.py"]


def test_excluder_matches_names_anywhere_and_paths_from_the_root(tmp_path):
    excluded = Excluder(["gen", "src/legacy/*.py", "./top.py"], tmp_path)
    assert excluded(str(tmp_path / "a" / "gen"))
    assert excluded(str(tmp_path / "src" / "legacy" / "old.py"))
    assert excluded(str(tmp_path / "top.py"))
    assert not excluded(str(tmp_path / "other" / "src" / "legacy" / "old.py"))
    assert not excluded(str(tmp_path / "generated"))


GITIGNORE = "generated/\nsecret_*.py\n/rootonly.py\n*.log\n!keep.py\n"


def _repo(tmp_path: Path) -> Path:
    touch(
        tmp_path,
        "app.py", "secret_key.py", "rootonly.py", "pkg/rootonly.py", "pkg/secret_x.py",
        "generated/gen.py", "pkg/generated/gen.py", "pkg/local.py", "pkg/keep.py",
    )
    (tmp_path / ".gitignore").write_text(GITIGNORE)
    (tmp_path / "pkg" / ".gitignore").write_text("local.py\n")
    return tmp_path


EXPECTED_IN_REPO = ["app.py", "pkg/keep.py", "pkg/rootonly.py"]


@needs_git
def test_gitignored_files_are_skipped_inside_a_git_repository(tmp_path):
    repo = _repo(tmp_path)
    git(repo, "init", "-q")
    assert found(repo) == EXPECTED_IN_REPO


@needs_git
def test_tracked_files_that_match_an_ignore_pattern_are_skipped_too(tmp_path):
    """ruff matches the patterns whether or not git tracks the file; so do we."""
    repo = _repo(tmp_path)
    git(repo, "init", "-q")
    git(repo, "add", "-f", "secret_key.py")
    assert found(repo) == EXPECTED_IN_REPO


@needs_git
def test_git_info_exclude_counts(tmp_path):
    repo = _repo(tmp_path)
    git(repo, "init", "-q")
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").write_text("app.py\n")
    assert found(repo) == ["pkg/keep.py", "pkg/rootonly.py"]


def test_gitignore_means_nothing_outside_a_git_repository(tmp_path):
    """As in ruff: without a repository, .gitignore is just a file."""
    repo = _repo(tmp_path)
    assert "secret_key.py" in found(repo)


@needs_git
def test_a_named_ignored_path_is_still_checked(tmp_path):
    repo = _repo(tmp_path)
    git(repo, "init", "-q")
    assert found(repo, "secret_key.py", "generated") == ["secret_key.py", "generated/gen.py"]


@needs_git
def test_walking_a_subfolder_of_a_repository(tmp_path):
    repo = _repo(tmp_path)
    git(repo, "init", "-q")
    assert found(repo, "pkg") == ["pkg/keep.py", "pkg/rootonly.py"]


@needs_git
def test_a_nested_repository_uses_its_own_ignore_file(tmp_path):
    repo = _repo(tmp_path)
    git(repo, "init", "-q")
    touch(repo, "vendor/lib/a.py", "vendor/lib/b.py")
    (repo / "vendor" / "lib" / ".gitignore").write_text("b.py\n")
    git(repo / "vendor" / "lib", "init", "-q")
    assert found(repo, "vendor") == ["vendor/lib/a.py"]


@needs_git
def test_respect_gitignore_can_be_turned_off(tmp_path):
    repo = _repo(tmp_path)
    git(repo, "init", "-q")
    assert "secret_key.py" in found(repo, respect_gitignore=False)


def test_without_git_a_small_matcher_reads_the_ignore_files(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    (repo / ".git").mkdir()  # looks like a repository, but git cannot be asked
    (repo / ".git" / "info").mkdir()
    (repo / ".git" / "info" / "exclude").write_text("# nothing\n")
    monkeypatch.setattr(discovery, "_git_ignored", lambda top, spec: None)
    assert found(repo) == EXPECTED_IN_REPO


@needs_git
def test_fallback_matcher_agrees_with_git(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    touch(repo, "a/b/c/d.py", "a/x.py", "docs/conf.py", "a/b/tmp_1.py", "z/foo/bar/baz.py", "z/bar.py", "[x].py")
    (repo / "a" / ".gitignore").write_text("b/**/d.py\n/x.py\n")
    (repo / "z" / ".gitignore").write_text("foo/**\n")
    (repo / ".gitignore").write_text(GITIGNORE + "docs\ntmp_?.py\n\\[x].py\n")
    git(repo, "init", "-q")
    with_git = found(repo)
    monkeypatch.setattr(discovery, "_git_ignored", lambda top, spec: None)
    assert found(repo) == with_git
    assert "z/bar.py" in with_git and "z/foo/bar/baz.py" not in with_git


@needs_git
def test_git_environment_of_a_hook_does_not_leak_in(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    git(repo, "init", "-q")
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "elsewhere" / "index"))
    assert found(repo) == EXPECTED_IN_REPO


def test_gitignore_start_outside_a_repository(tmp_path):
    assert GitIgnore().start(str(tmp_path)) is True


@needs_git
def test_cli_skips_gitignored_files(tmp_path, monkeypatch, capsys):
    from python_backend_kit.cli.main import main

    bad = "import time\n\n\nasync def f():\n    time.sleep(1)\n"
    (tmp_path / "app.py").write_text(bad)
    (tmp_path / "scratch.py").write_text(bad)
    (tmp_path / ".gitignore").write_text("scratch.py\n")
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "-q", "."]) == 1
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines()] == ["app.py"]
    assert main(["check", "-q", "--no-respect-gitignore", "."]) == 1
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines()] == ["app.py", "scratch.py"]
    assert main(["check", "-q", "scratch.py"]) == 1
    (tmp_path / "pyproject.toml").write_text("[tool.pbk]\nrespect-gitignore = false\n")
    assert main(["check", "-q", "."]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_force_exclude_filters_named_files_too(tree):
    named = ["app.py", "build/lib/x.py", "pkg/sub/deep.py", "env/x.py"]
    assert found(tree, *named) == named
    assert found(tree, *named, force_exclude=True, root=tree) == ["app.py", "pkg/sub/deep.py"]
    assert found(tree, *named, force_exclude=True, exclude=["sub"], root=tree) == ["app.py"]


def test_force_exclude_ignores_folders_above_the_project(tmp_path):
    project = tmp_path / "build" / "project"
    touch(project, "app.py")
    assert found(project, "app.py", force_exclude=True, root=project) == ["app.py"]


def test_force_exclude_on_the_command_line_and_in_config(tree, monkeypatch, capsys):
    from python_backend_kit.cli.main import main

    monkeypatch.chdir(tree)
    (tree / "build" / "lib" / "x.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n")
    assert main(["check", "-q", "build/lib/x.py"]) == 1
    capsys.readouterr()
    assert main(["check", "-q", "--force-exclude", "build/lib/x.py"]) == 0
    (tree / "pyproject.toml").write_text("[tool.pbk]\nforce-exclude = true\n")
    assert main(["check", "-q", "build/lib/x.py"]) == 0
