"""Check one file from disk, turning every kind of bad input into one finding."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import INTERNAL_ERROR, FileCheck, Finding, Settings, parse

SYNTAX_ERROR = "E999"
IO_ERROR = "E902"
NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _decode_lines(data: bytes) -> list[str]:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        text = data.decode("utf-8", errors="replace")
    return text.splitlines()


def _bad_input(result: FileResult, code: str, text: str, line: int = 1, col: int = 0) -> FileResult:
    result.findings.append(Finding(max(line, 1), max(col, 0), code, {"text": text}))
    return result


def _syntax_message(exc: SyntaxError) -> str:
    return f"SyntaxError: {exc.msg}"


def suppressed_by_noqa(line_text: str, code: str) -> bool:
    match = NOQA.search(line_text)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return True
    return any(code.startswith(c.upper()) for c in re.split(r"[,\s]+", codes) if c)


def check_file(path: Path, settings: Settings, display: str | None = None) -> FileResult:
    result = FileResult(path=display or str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _bad_input(result, IO_ERROR, f"cannot read file: {exc.strerror or exc}")
    if b"\x00" in data:
        return _bad_input(result, SYNTAX_ERROR, "SyntaxError: the file contains NUL bytes; it is not Python source")
    result.lines = _decode_lines(data)
    try:
        tree = parse(data, str(path))
    except SyntaxError as exc:
        return _bad_input(result, SYNTAX_ERROR, _syntax_message(exc), exc.lineno or 1, (exc.offset or 1) - 1)
    except (ValueError, UnicodeDecodeError) as exc:
        return _bad_input(result, SYNTAX_ERROR, f"SyntaxError: {exc}")
    except (RecursionError, MemoryError):
        return _bad_input(result, SYNTAX_ERROR, "SyntaxError: too deeply nested for the Python parser")
    try:
        findings = FileCheck(tree, settings, result.path, data).run()
    except Exception as exc:  # the engine isolates rules; this is a last line of defence
        findings = [Finding(1, 0, INTERNAL_ERROR, {"rule": "engine", "error": f"{type(exc).__name__}: {exc}"})]
    result.findings = [f for f in findings if not _noqa(result.lines, f)]
    return result


def _noqa(lines: list[str], finding: Finding) -> bool:
    if 0 < finding.line <= len(lines):
        return suppressed_by_noqa(lines[finding.line - 1], finding.code)
    return False
