"""Run flake8 with only some of the installed plugins (used by bench/run.py).

flake8 7.5 runs every installed tree plugin whatever ``--select`` says (only
plugins marked ``off_by_default`` are skipped), so "flake8 without our
plugin" cannot be had with flags in one environment. This wrapper filters
flake8's plugin list before it loads anything: the excluded plugins are not
even imported. Usage::

    python flake8_with.py python-backend-kit,flake8-async -- [flake8 args]
    python flake8_with.py "" -- [flake8 args]      # flake8's own checks only
"""

import sys

from flake8.plugins import finder

# flake8's own checks: pycodestyle (E/W), pyflakes (F), mccabe (C90), reporters
BASE = frozenset({"flake8", "pycodestyle", "pyflakes", "mccabe", "local"})


def main(argv: list[str]) -> int:
    keep = BASE | {p for p in argv[0].split(",") if p}
    args = argv[argv.index("--") + 1 :]
    original = finder.find_plugins

    def find_plugins(cfg, opts):  # noqa: ANN001, ANN202 - flake8's signature
        return [p for p in original(cfg, opts) if p.package in keep]

    finder.find_plugins = find_plugins
    from flake8.main.cli import main as flake8_main

    return flake8_main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
