"""The ``pbk`` command: check, rule, docs, skill."""
