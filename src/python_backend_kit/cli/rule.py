"""``pbk rule``: print a rule file, or list every rule."""

from __future__ import annotations

import argparse
import json
import sys

from ..catalog import bundled_rules
from ..config import ConfigError


def rule_record(rule) -> dict:  # noqa: ANN001
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.title,
        "message_formats": [rule.message],
        "explanation": rule.text(),
        "fix_availability": "None",
        "impact": rule.impact,
        "default": rule.default,
        "category": rule.category,
        "overlaps": list(rule.overlaps),
        "min_python": ".".join(map(str, rule.min_python)) if rule.min_python else None,
        "url": rule.url,
    }


def run_rule(args: argparse.Namespace) -> int:
    rules = bundled_rules()
    if args.all:
        chosen = list(rules.values())
    elif args.code:
        code = args.code.upper()
        if code not in rules:
            raise ConfigError(f"pbk rule: unknown rule code {args.code!r}")
        chosen = [rules[code]]
    else:
        raise ConfigError("pbk rule: name a code (e.g. PBK303) or pass --all")
    if args.output_format == "json":
        records = [rule_record(r) for r in chosen]
        json.dump(records if args.all else records[0], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write("\n\n".join(r.text() for r in chosen))
    return 0
