"""Output formats of ``pbk check``. Each writer takes the report rows and a
stream; add a format by adding a writer to :data:`WRITERS`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Callable, TextIO

from ..catalog import Rule
from ..engine import Finding


@dataclass(frozen=True)
class Row:
    path: str
    finding: Finding
    message: str
    rule: Rule | None
    source_line: str = ""

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def row(self) -> int:
        return self.finding.line

    @property
    def column(self) -> int:  # 1-based, as every editor shows it
        return self.finding.col + 1


def write_concise(rows: list[Row], out: TextIO) -> None:
    for r in rows:
        out.write(f"{r.path}:{r.row}:{r.column}: {r.code} {r.message}\n")


def _location(row: int | None, col: int | None) -> dict[str, int] | None:
    if row is None:
        return None
    return {"column": (col or 0) + 1, "row": row}


def json_record(r: Row) -> dict:
    f = r.finding
    end = _location(f.end_line, f.end_col) or _location(f.line, f.col)
    return {
        "cell": None,
        "code": r.code,
        "end_location": end,
        "filename": os.path.abspath(r.path),
        "fix": None,
        "location": _location(f.line, f.col),
        "message": r.message,
        "name": r.rule.name if r.rule else None,
        "noqa_row": f.line,
        "url": r.rule.url if r.rule else None,
    }


def write_json(rows: list[Row], out: TextIO) -> None:
    json.dump([json_record(r) for r in rows], out, indent=2, sort_keys=True)
    out.write("\n")


WRITERS: dict[str, Callable[[list[Row], TextIO], None]] = {
    "concise": write_concise,
    "json": write_json,
}
