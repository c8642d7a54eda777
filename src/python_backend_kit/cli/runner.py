"""Check one file from disk, turning every kind of bad input into one finding."""

from __future__ import annotations

import contextlib
import gc
import io
import re
import tokenize
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from ..engine import INTERNAL_ERROR, FileCheck, Finding, Settings, check_syntax, needs_tree, parse

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


def check_file(path: str | Path, settings: Settings, display: str | None = None) -> FileResult:
    result = FileResult(path=display or str(path))
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return _bad_input(result, IO_ERROR, f"cannot read file: {exc.strerror or exc}")
    try:
        if not needs_tree(settings, data):
            check_syntax(data, str(path))  # no check can report on the file: only its syntax matters
            return result
        tree = parse(data, str(path))
    except (SyntaxError, ValueError) as exc:  # ValueError: also UnicodeDecodeError
        # every CPython rejects NUL bytes (ValueError before 3.12): looked for only then
        if b"\x00" in data:
            return _bad_input(result, SYNTAX_ERROR, "SyntaxError: the file contains NUL bytes; it is not Python source")
        result.lines = _decode_lines(data)
        if not isinstance(exc, SyntaxError):
            return _bad_input(result, SYNTAX_ERROR, f"SyntaxError: {exc}")
        return _bad_input(result, SYNTAX_ERROR, _syntax_message(exc), exc.lineno or 1, (exc.offset or 1) - 1)
    except (RecursionError, MemoryError):
        result.lines = _decode_lines(data)
        return _bad_input(result, SYNTAX_ERROR, "SyntaxError: too deeply nested for the Python parser")
    try:
        findings = FileCheck(tree, settings, result.path, data).run()
    except Exception as exc:  # the engine isolates rules; this is a last line of defence
        findings = [Finding(1, 0, INTERNAL_ERROR, {"rule": "engine", "error": f"{type(exc).__name__}: {exc}"})]
    if findings:  # most files have none: their text is never decoded
        result.lines = _decode_lines(data)
        result.findings = [f for f in findings if not _noqa(result.lines, f)]
    return result


def report_lines(result: FileResult, context: int = 0) -> dict[int, str]:
    """The source lines a report needs: each finding's lines, plus *context* around them."""
    wanted: dict[int, str] = {}
    count = len(result.lines)
    for f in result.findings:
        for n in (*range(f.line - context, f.line + context + 1), f.end_line or f.line):
            if 0 < n <= count:
                wanted[n] = result.lines[n - 1]
    return wanted


def _noqa(lines: list[str], finding: Finding) -> bool:
    if 0 < finding.line <= len(lines):
        return suppressed_by_noqa(lines[finding.line - 1], finding.code)
    return False


# -- many files, in this process or in workers ------------------------------

# Below this many files per worker, starting processes costs more than it saves.
FILES_PER_WORKER = 4

_worker: tuple[Settings, frozenset[str], int] | None = None
_file_settings: dict[tuple[str, ...], Settings] = {}


def _matches(code: str, prefixes: tuple[str, ...]) -> bool:
    return code.startswith(prefixes) if prefixes else False


def _init_worker(settings: Settings, builtin_codes: frozenset[str], context: int) -> None:
    """Runs once per worker: it imports the checks and keeps the settings. Messages are
    made in the parent; the engine reads the rule files once per process (for each
    rule's min-python, a few milliseconds; inherited when workers fork)."""
    global _worker
    from ..checks import load_checks

    load_checks()
    # The parser warns about the checked code itself (an invalid escape
    # sequence: SyntaxWarning from 3.12, DeprecationWarning before). Those are
    # not findings of ours, and would reach stderr as two raw lines per file.
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    warnings.filterwarnings("ignore", message="invalid escape sequence", category=DeprecationWarning)
    _worker = (settings, builtin_codes, context)
    _file_settings.clear()


Task = tuple[str, str, tuple[str, ...]]  # path, shown path, per-file ignored prefixes
Outcome = tuple[str, list[Finding], dict[int, str]]


def _check_task(task: Task) -> Outcome:
    settings, builtin_codes, context = _worker  # type: ignore[misc]
    path, shown, ignored = task
    if ignored:
        file_settings = _file_settings.get(ignored)
        if file_settings is None:
            file_settings = replace(settings, codes=frozenset(c for c in settings.codes if not _matches(c, ignored)))
            _file_settings[ignored] = file_settings
    else:
        file_settings = settings
    result = check_file(path, file_settings, shown)
    result.findings = [
        f for f in result.findings
        if f.code in file_settings.codes or (f.code in builtin_codes and not _matches(f.code, ignored))
    ]
    return result.path, result.findings, report_lines(result, context)


# Checking makes no reference cycles (the engine's tests guard it), so the
# cyclic GC would only re-traverse each freshly parsed tree; it is switched
# off while a process checks files, and run on the young objects every
# GC_EVERY files in case some path did make a cycle. Objects alive before
# the run (imports, rule tables) are frozen out of those collections.
GC_EVERY = 256
_tasks_done = 0


def _pause_gc() -> None:
    global _tasks_done
    _tasks_done = 0
    gc.freeze()
    gc.disable()


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    _pause_gc()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _check_task_gc_paused(task: Task) -> Outcome:
    global _tasks_done
    outcome = _check_task(task)
    _tasks_done += 1
    if _tasks_done % GC_EVERY == 0:
        gc.collect()
    return outcome


def _init_worker_gc_paused(settings: Settings, builtin_codes: frozenset[str], context: int) -> None:
    _init_worker(settings, builtin_codes, context)
    _pause_gc()  # a worker lives for one run


def check_files(tasks: list[Task], settings: Settings, builtin_codes: frozenset[str], context: int, jobs: int) -> Iterator[Outcome]:
    """Outcomes in the order of *tasks*, whatever the number of workers."""
    workers = min(jobs, len(tasks) // FILES_PER_WORKER)
    if workers < 2:
        _init_worker(settings, builtin_codes, context)
        with _gc_paused():
            yield from map(_check_task_gc_paused, tasks)
        return
    import multiprocessing

    with multiprocessing.Pool(workers, _init_worker_gc_paused, (settings, builtin_codes, context)) as pool:
        # one file at a time per worker; imap hands results back in task order
        yield from pool.imap(_check_task_gc_paused, tasks, chunksize=1)
