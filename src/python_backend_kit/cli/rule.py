"""``pbk rule``: print a rule file, or list every rule (like ``ruff rule``)."""

from __future__ import annotations

import argparse
import sys

from ..catalog import Rule, bundled_rules, split_frontmatter
from ..config import ConfigError

LINTER = "python-backend-kit"


def explanation(rule: Rule) -> str:
    """The rule file's prose from "## What it does" on, as ruff's ``explanation`` is."""
    _, body = split_frontmatter(rule.text(), rule.path)
    start = body.find("## ")
    return body[start:] if start != -1 else body.lstrip()


def rule_record(rule: Rule) -> dict:
    """Ruff's field names where they apply, then ours."""
    return {
        # ruff's
        "name": rule.name,
        "code": rule.code,
        "linter": LINTER,
        "summary": rule.title,
        "message_formats": [rule.message],
        "fix": "Fix is not available.",
        "fix_availability": "None",
        "explanation": explanation(rule),
        "preview": False,
        # ours
        "impact": rule.impact,
        "default": rule.default,
        "category": rule.category,
        "overlaps": list(rule.overlaps),
        "options": list(rule.options),
        "min_python": ".".join(map(str, rule.min_python)) if rule.min_python else None,
        "references": list(rule.references),
        "url": rule.url,
    }


def run_rule(args: argparse.Namespace) -> int:
    rules = bundled_rules()
    if args.all and args.code:
        raise ConfigError("pbk rule: name a code or pass --all, not both")
    if args.all:
        chosen = [rules[c] for c in sorted(rules)]
    elif args.code:
        code = args.code.upper()
        if code not in rules:
            raise ConfigError(f"pbk rule: unknown rule code {args.code!r}")
        chosen = [rules[code]]
    else:
        raise ConfigError("pbk rule: name a code (e.g. PBK303) or pass --all")
    out = sys.stdout
    if args.output_format == "json":
        import json

        records = [rule_record(r) for r in chosen]
        json.dump(records if args.all else records[0], out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write("\n\n".join(r.text().rstrip("\n") + "\n" for r in chosen))
    return 0
