"""The physical limit of an ast-based linter: read and ``ast.parse`` every
file given on the command line, nothing else (used by bench/run.py).
``--no-gc`` first turns the cyclic GC off, as pbk does while it parses."""

import ast
import gc
import sys


def main(paths: list[str]) -> int:
    if paths[:1] == ["--no-gc"]:
        gc.disable()
        paths = paths[1:]
    failed = 0
    for path in paths:
        try:
            with open(path, "rb") as handle:
                ast.parse(handle.read(), filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OSError):
            failed += 1
    print(f"parsed {len(paths) - failed} of {len(paths)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
