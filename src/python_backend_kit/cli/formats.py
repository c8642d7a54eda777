"""Output formats of ``pbk check``, modelled on ruff's.

Each writer takes the report rows (already in their final order) and a
stream; add a format by adding a writer to :data:`WRITERS`. ``json`` is
imported only by the formats that need it, so the default format starts fast.

Columns are 1-based and count characters (the ast counts UTF-8 bytes), as
ruff and editors do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Iterable, TextIO

from .. import __version__

TOOL_NAME = "pbk"
TOOL_URI = "https://github.com/python-backend-kit/python-backend-kit"
CONTEXT_LINES = 2  # source lines shown around a finding by ``full``

# Codes that do not come from a rule file.
BUILTIN_NAMES = {"E999": "syntax-error", "E902": "io-error", "PBK000": "internal-error"}
# impact in the rule file -> SARIF level
SARIF_LEVELS = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note"}


@dataclass(frozen=True)
class Row:
    """One finding, ready to print."""

    path: str  # as given on the command line or found by the walk
    code: str
    message: str
    row: int  # 1-based
    column: int  # 1-based, in characters
    end_row: int
    end_column: int
    name: str | None = None
    url: str | None = None
    context: tuple[tuple[int, str], ...] = field(default=(), compare=False)  # (line number, text) for ``full``

    @property
    def filename(self) -> str:
        return os.path.abspath(self.path)


def char_column(line: str | None, byte_col: int) -> int:
    """The 0-based character column of a 0-based UTF-8 byte offset in *line*."""
    if not line or byte_col <= 0 or line.isascii():
        return max(byte_col, 0)
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


# -- text formats -------------------------------------------------------


def write_concise(rows: list[Row], out: TextIO) -> None:
    for r in rows:
        out.write(f"{r.path}:{r.row}:{r.column}: {r.code} {r.message}\n")


def write_pylint(rows: list[Row], out: TextIO) -> None:
    for r in rows:
        out.write(f"{r.path}:{r.row}: [{r.code}] {r.message}\n")


def _trimmed_context(r: Row) -> list[tuple[int, str]]:
    lines = [(n, text.rstrip()) for n, text in r.context if r.row - CONTEXT_LINES <= n <= r.row + CONTEXT_LINES]
    # blank lines at the edges of the excerpt say nothing
    while lines and lines[0][0] != r.row and not lines[0][1].strip():
        lines.pop(0)
    while lines and lines[-1][0] != r.row and not lines[-1][1].strip():
        lines.pop()
    return lines


def write_full(rows: list[Row], out: TextIO) -> None:
    """Ruff's ``full`` layout: the message, the location, and an excerpt with carets."""
    for r in rows:
        lines = _trimmed_context(r)
        width = len(str(max((n for n, _ in lines), default=r.row)))
        gutter = " " * width
        out.write(f"{r.code} {r.message}\n{gutter}--> {r.path}:{r.row}:{r.column}\n")
        if not lines:
            out.write("\n")
            continue
        out.write(f"{gutter} |\n")
        for number, text in lines:
            shown = text.expandtabs(4)
            out.write(f"{number:>{width}} | {shown}".rstrip() + "\n")
            if number == r.row:
                start = len(text[: r.column - 1].expandtabs(4))
                end = len(text[: r.end_column - 1].expandtabs(4)) if r.end_row == r.row else len(shown)
                out.write(f"{gutter} | {' ' * start}{'^' * max(end - start, 1)}\n")
        if lines[-1][0] != r.row:
            out.write(f"{gutter} |\n")
        out.write("\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(rows: list[Row], out: TextIO) -> None:
    """GitHub Actions workflow commands: one ``::error`` annotation per finding."""
    for r in rows:
        props = ",".join(
            (
                f"title={_escape_property(f'{TOOL_NAME} ({r.code})')}",
                f"file={_escape_property(r.path)}",
                f"line={r.row}",
                f"col={r.column}",
                f"endLine={r.end_row}",
                f"endColumn={r.end_column}",
            )
        )
        out.write(f"::error {props}::{_escape_data(f'{r.path}:{r.row}:{r.column}: {r.code} {r.message}')}\n")


# -- JSON formats -------------------------------------------------------


def json_record(r: Row) -> dict:
    """One finding with ruff's JSON field names (``fix`` and ``cell`` are always null)."""
    return {
        "cell": None,
        "code": r.code,
        "end_location": {"column": r.end_column, "row": r.end_row},
        "filename": r.filename,
        "fix": None,
        "location": {"column": r.column, "row": r.row},
        "message": r.message,
        "name": r.name,
        "noqa_row": r.row,
        "severity": "error",
        "url": r.url,
    }


def write_json(rows: list[Row], out: TextIO) -> None:
    import json

    json.dump([json_record(r) for r in rows], out, indent=2, sort_keys=True, ensure_ascii=False)
    out.write("\n")


def write_json_lines(rows: list[Row], out: TextIO) -> None:
    import json

    for r in rows:
        out.write(json.dumps(json_record(r), sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")


def _artifact(path: str) -> dict:
    """A URI relative to %SRCROOT% (the working directory) when it can be one."""
    from urllib.parse import quote

    relative = os.path.relpath(os.path.abspath(path))
    if relative.startswith(os.pardir) or os.path.isabs(relative):
        from pathlib import Path

        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote(relative.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}


def sarif_document(rows: list[Row], rules: Iterable = ()) -> dict:
    """A SARIF 2.1.0 log with one run; *rules* are the catalog rules that were enabled."""
    descriptors: list[dict] = []
    index: dict[str, int] = {}
    for rule in sorted(rules, key=lambda rule: rule.code):
        index[rule.code] = len(descriptors)
        descriptors.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.text()},
                "help": {"text": rule.title},
                "helpUri": rule.url,
                "defaultConfiguration": {"enabled": True, "level": SARIF_LEVELS.get(rule.impact, "warning")},
                "properties": {"category": rule.category, "impact": rule.impact, "tags": [rule.category]},
            }
        )
    for r in rows:  # syntax errors, unreadable files, internal errors
        if r.code not in index:
            index[r.code] = len(descriptors)
            name = r.name or BUILTIN_NAMES.get(r.code, r.code.lower())
            descriptors.append(
                {
                    "id": r.code,
                    "name": name,
                    "shortDescription": {"text": name.replace("-", " ")},
                    "defaultConfiguration": {"enabled": True, "level": "error"},
                }
            )
    levels = {d["id"]: d["defaultConfiguration"]["level"] for d in descriptors}
    results = [
        {
            "ruleId": r.code,
            "ruleIndex": index[r.code],
            "level": levels[r.code],
            "message": {"text": r.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(r.path),
                        "region": {
                            "startLine": r.row,
                            "startColumn": r.column,
                            "endLine": r.end_row,
                            "endColumn": r.end_column,
                        },
                    }
                }
            ],
        }
        for r in rows
    ]
    from pathlib import Path

    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "fullName": "python-backend-kit",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": TOOL_URI,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def write_sarif(rows: list[Row], out: TextIO, rules: Iterable = ()) -> None:
    import json

    json.dump(sarif_document(rows, rules), out, indent=2, ensure_ascii=False)
    out.write("\n")


WRITERS: dict[str, Callable[..., None]] = {
    "concise": write_concise,
    "full": write_full,
    "json": write_json,
    "json-lines": write_json_lines,
    "sarif": write_sarif,
    "github": write_github,
    "pylint": write_pylint,
}
# the formats a person reads: they end with a summary line unless --quiet
HUMAN_FORMATS = frozenset({"concise", "full"})


# -- statistics and summary ----------------------------------------------


def statistics(rows: list[Row]) -> list[tuple[str, str | None, int]]:
    """(code, name, count), most frequent first, then by code."""
    counts: dict[str, int] = {}
    names: dict[str, str | None] = {}
    for r in rows:
        counts[r.code] = counts.get(r.code, 0) + 1
        names[r.code] = r.name
    return sorted(((c, names[c], n) for c, n in counts.items()), key=lambda t: (-t[2], t[0]))


def write_statistics(rows: list[Row], out: TextIO, as_json: bool = False) -> None:
    stats = statistics(rows)
    if as_json:
        import json

        records = [{"code": c, "name": name, "count": n, "fixable": False, "fixable_count": 0} for c, name, n in stats]
        json.dump(records, out, indent=2)
        out.write("\n")
        return
    if not stats:
        return
    count_width = max(len(str(n)) for _, _, n in stats)
    code_width = max(len(c) for c, _, _ in stats)
    for code, name, n in stats:
        out.write(f"{n:>{count_width}}\t{code:<{code_width}}\t{name or ''}\n")


def summary(count: int) -> str:
    if count == 0:
        return "All checks passed!"
    return f"Found {count} error{'s' if count != 1 else ''}."
