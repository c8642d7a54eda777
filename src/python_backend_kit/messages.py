"""Finding -> message text, from the rule files' templates."""

from __future__ import annotations

from .catalog import Rule
from .engine import INTERNAL_ERROR, Finding

INTERNAL_ERROR_MESSAGE = "internal error in {rule}: {error} (please report it; other rules still ran)"


def message_for(finding: Finding, rules: dict[str, Rule]) -> str:
    if finding.code == INTERNAL_ERROR:
        return INTERNAL_ERROR_MESSAGE.format_map(finding.args)
    rule = rules.get(finding.code)
    if rule is None:  # E999 and E902 carry their own text
        return str(finding.args.get("text", ""))
    try:
        return rule.format_message(finding.args)
    except (KeyError, IndexError, ValueError) as exc:
        return f"{rule.message} (message argument missing: {exc})"
