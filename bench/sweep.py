"""Crash sweep: run every rule over whole trees and count internal errors.

    python bench/sweep.py                       # this interpreter's stdlib (+ .corpus/src if present)
    python bench/sweep.py --all-pythons         # the same under every CPython 3.10-3.13 found
    python bench/sweep.py --corpus PATH DIR...  # extra trees

Each file goes through ``check_file`` (what ``pbk check`` runs) with every
rule selected, and through the flake8 plugin class on the same tree. The
target is zero PBK000 and zero exceptions escaping; E999 (files the parser of
that version rejects, e.g. the stdlib's deliberately broken test files) is
expected and counted. Under other interpreters the package is imported from
``src/`` (PYTHONPATH), so nothing needs installing there.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SKIPPED_DIRS = {"__pycache__", "site-packages", ".git", ".venv", "venv", "node_modules"}


def python_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        found += [Path(folder, name) for name in sorted(files) if name.endswith(".py")]
    return found


def sweep(root: Path) -> dict:
    """Check every file under *root*; what went wrong, counted."""
    from python_backend_kit.catalog import bundled_rules
    from python_backend_kit.cli.runner import check_file
    from python_backend_kit.engine import INTERNAL_ERROR, Settings

    rules = bundled_rules()
    settings = Settings(codes=frozenset(rules), min_python=(3, 13))
    stats = {"tree": str(root), "python": sys.version.split()[0], "files": 0, "e999": 0, "e902": 0,
             "findings": 0, "pbk000": [], "escaped": [], "rules": len(rules), "flake8_door": True}
    try:
        from python_backend_kit.flake8_plugin import Flake8Plugin
    except ImportError:  # e.g. tomli missing on 3.10 without a venv: sweep the pbk door only
        Flake8Plugin = None
        stats["flake8_door"] = False
    else:
        Flake8Plugin._settings = settings
    start = time.process_time()
    for path in python_files(root):
        stats["files"] += 1
        try:
            result = check_file(path, settings, str(path))
        except BaseException as exc:  # noqa: BLE001 - exactly what the sweep looks for
            stats["escaped"].append(f"{path}: pbk: {type(exc).__name__}: {exc}")
            continue
        for finding in result.findings:
            if finding.code == INTERNAL_ERROR:
                stats["pbk000"].append(f"{path}:{finding.line}: pbk: {finding.args}")
            elif finding.code == "E999":
                stats["e999"] += 1
            elif finding.code == "E902":
                stats["e902"] += 1
            else:
                stats["findings"] += 1
        if Flake8Plugin is None or any(f.code in ("E999", "E902") for f in result.findings):
            continue
        try:  # the flake8 door on the same file
            tree = ast.parse(path.read_bytes())
            for line, _, text, _ in Flake8Plugin(tree, str(path)).run():
                if text.startswith(INTERNAL_ERROR):
                    stats["pbk000"].append(f"{path}:{line}: flake8 plugin: {text}")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
        except BaseException as exc:  # noqa: BLE001
            stats["escaped"].append(f"{path}: flake8 plugin: {type(exc).__name__}: {exc}")
    stats["cpu_s"] = round(time.process_time() - start, 1)
    return stats


def _works(python: str, minor: int) -> bool:
    """Whether *python* runs and is CPython 3.<minor> (pyenv shims on PATH may not)."""
    try:
        out = subprocess.run([python, "-c", "import sys, platform; print(sys.version_info[1], platform.python_implementation())"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.split() == [str(minor), "CPython"]


def find_pythons() -> list[str]:
    """CPython 3.10-3.13 on this machine: python3.X on PATH, else the newest ~/.pyenv/versions/3.X.*."""
    import shutil

    found = []
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for minor in (10, 11, 12, 13):
        candidates = [shutil.which(f"python3.{minor}")]
        versions = sorted((p for p in root.glob(f"3.{minor}.*") if p.name.replace(".", "").isdigit()),
                          key=lambda p: int(p.name.split(".")[2]), reverse=True)
        candidates += [str(v / "bin" / f"python3.{minor}") for v in versions]
        chosen = next((c for c in candidates if c and _works(c, minor)), None)
        if chosen is None:
            print(f"CPython 3.{minor}: not found, skipped")
        else:
            found.append(chosen)
    return found


def report(all_stats: list[dict]) -> tuple[str, bool]:
    ok = True
    lines = ["| Python | tree | files | E999 (parser) | findings | PBK000 | escaped | doors | CPU s |", "|---|---|---|---|---|---|---|---|---|"]
    for s in all_stats:
        doors = "pbk + flake8 plugin" if s.get("flake8_door") else "pbk"
        lines.append(f"| {s['python']} | {s['tree']} | {s['files']} | {s['e999']} | {s['findings']} | {len(s['pbk000'])} | {len(s['escaped'])} | {doors} | {s['cpu_s']} |")
        ok = ok and not s["pbk000"] and not s["escaped"]
    details = [line for s in all_stats for line in s["pbk000"][:20] + s["escaped"][:20]]
    text = "\n".join(lines) + ("\n\n" + "\n".join(details) if details else "") + "\n"
    return text, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="crash sweep: zero PBK000 over whole trees")
    parser.add_argument("trees", nargs="*", type=Path, help="extra trees to sweep")
    parser.add_argument("--corpus", type=Path, default=Path(".corpus/src"), help="default: .corpus/src when present")
    parser.add_argument("--all-pythons", action="store_true", help="sweep under every CPython 3.10-3.13 found")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON (used by --all-pythons)")
    args = parser.parse_args(argv)

    if args.all_pythons:
        all_stats = []
        for python in find_pythons():
            argv_child = [python, str(Path(__file__).resolve()), "--json", "--corpus", str(args.corpus.resolve()), *map(str, args.trees)]
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
            proc = subprocess.run(argv_child, capture_output=True, text=True, env=env)
            if proc.returncode not in (0, 1) or not proc.stdout.strip():
                print(f"{python}: the sweep itself failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
                all_stats.append({"python": python, "tree": "-", "files": 0, "e999": 0, "findings": 0,
                                  "pbk000": [], "escaped": [f"sweep failed: exit {proc.returncode}"], "cpu_s": 0})
                continue
            all_stats += json.loads(proc.stdout)
    else:
        trees = [Path(sysconfig.get_paths()["stdlib"])]
        if args.corpus.is_dir():
            trees.append(args.corpus.resolve())
        trees += args.trees
        all_stats = [sweep(tree) for tree in trees]
        if args.json:
            print(json.dumps(all_stats))
            return 0 if all(not s["pbk000"] and not s["escaped"] for s in all_stats) else 1

    text, ok = report(all_stats)
    print(text)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "sweep.md").write_text(f"# Crash sweep ({time.strftime('%Y-%m-%d %H:%M')})\n\n{text}", encoding="utf-8")
    print("zero internal errors" if ok else "INTERNAL ERRORS FOUND")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
