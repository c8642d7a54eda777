"""``pbk docs``: regenerate the parts of SKILL.md and README.md that come
from the rule files; ``--check`` exits 1 when they are stale.

The generated text sits between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->`` markers (``rules`` in both files, ``ruff-overlaps``
in README.md); everything outside the markers is left alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..bundle_paths import bundle_root
from ..catalog import Rule, load_rules
from ..config import ConfigError

CATEGORY_TITLES = {"asyncio": "asyncio", "fastapi": "FastAPI", "sqlalchemy": "SQLAlchemy", "pools": "pools and clients"}


class DocsError(ConfigError):
    pass


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _impact(rule: Rule) -> str:
    return rule.impact if rule.default else f"{rule.impact}, opt-in"


def skill_index(rules: dict[str, Rule]) -> str:
    """The rule index of SKILL.md: one row per rule, linking its file."""
    lines = ["| rule | name | impact | what goes wrong |", "|---|---|---|---|"]
    for code in sorted(rules):
        rule = rules[code]
        lines.append(
            f"| [{code}](rules/{rule.path.name}) | {rule.name} | {_impact(rule)} | {_cell(rule.title)} |"
        )
    return "\n".join(lines)


def readme_table(rules: dict[str, Rule]) -> str:
    """The rule table of README.md."""
    lines = ["| code | name | category | impact | default | summary |", "|---|---|---|---|---|---|"]
    for code in sorted(rules):
        rule = rules[code]
        default = "yes" if rule.default else "opinionated"
        lines.append(
            f"| [{code}](rules/{rule.path.name}) | {rule.name} | {CATEGORY_TITLES.get(rule.category, rule.category)}"
            f" | {rule.impact} | {default} | {_cell(rule.title)} |"
        )
    return "\n".join(lines)


def ruff_overlaps(rules: dict[str, Rule]) -> str:
    """README: which PBK rules overlap ruff's, from each rule file's ``overlaps``."""
    async_rules, other = [], []
    for code in sorted(rules):
        ruff = [o.split(":", 1)[1].strip() for o in rules[code].overlaps if o.startswith("ruff:")]
        if any(r.startswith("ASYNC") for r in ruff):
            async_rules.append((code, ruff))
        elif ruff:
            other.append((code, ruff))
    lines = []
    if async_rules:
        listed = ", ".join(f"{code} ({', '.join(ruff)})" for code, ruff in async_rules)
        ignore = ", ".join(f'"{code}"' for code, _ in async_rules)
        lines += [
            "If you already run ruff's `ASYNC` rules, these PBK rules report much the same",
            f"(not always exactly the same cases): {listed}.",
            f"To leave them to ruff, set `ignore = [{ignore}]` in `[tool.pbk]`.",
        ]
    if other:
        lines.append("Other overlaps with ruff: " + ", ".join(f"{code} ({', '.join(ruff)})" for code, ruff in other) + ".")
    return "\n".join(lines)


def replace_between(text: str, block: str, path: Path, name: str = "rules") -> str:
    start_marker, end_marker = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    start = text.find(start_marker)
    end = text.find(end_marker)
    if start == -1 or end == -1 or end < start:
        raise DocsError(f"pbk docs: {path} has no '{start_marker}' ... '{end_marker}' markers")
    return text[: start + len(start_marker)] + "\n" + block + "\n" + text[end:]


def generated(root: Path) -> dict[Path, tuple[str, str]]:
    """For every generated file under *root*: (current text, fresh text)."""
    rules = load_rules(root / "rules")
    out: dict[Path, tuple[str, str]] = {}
    parts = {"SKILL.md": [("rules", skill_index)], "README.md": [("rules", readme_table), ("ruff-overlaps", ruff_overlaps)]}
    for name, renders in parts.items():
        path = root / name
        if name == "README.md" and not path.exists():
            continue  # an installed bundle has no README
        current = path.read_text(encoding="utf-8")
        fresh = current
        for marker, render in renders:
            fresh = replace_between(fresh, render(rules), path, marker)
        out[path] = (current, fresh)
    return out


def add_parser(commands: argparse._SubParsersAction) -> None:
    docs = commands.add_parser("docs", help="regenerate the rule index in SKILL.md and README.md")
    docs.add_argument("--check", action="store_true", help="exit 1 if a generated part is stale, write nothing")
    docs.add_argument("--root", type=Path, help="repository root (default: the bundle this pbk runs from)")


def run_docs(args: argparse.Namespace) -> int:
    root = args.root if args.root is not None else bundle_root()
    stale = [path for path, (old, new) in generated(root).items() if old != new]
    if args.check:
        for path in stale:
            print(f"{path}: generated rule index is stale; run `pbk docs`", file=sys.stderr)
        return 1 if stale else 0
    for path, (old, new) in generated(root).items():
        if old != new:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path}")
    return 0
