"""python-backend-kit: rules for correct async Python backends.

The rule files under ``rules/`` are the single source; this package reads
them (:mod:`.catalog`), checks code against them (:mod:`.engine`) and serves
the results through flake8 (:mod:`.flake8_plugin`) or the ``pbk`` command
(:mod:`.cli`).
"""

__version__ = "0.1.0"
