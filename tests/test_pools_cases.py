"""PBK4xx: every case under tests/data/pools raises exactly the codes it marks.

Each file is a complete module; `case_401_f1.py` must flag, `case_401_n1.py`
must not flag anything but the lines it marks (some near misses mark another
rule, e.g. a default argument that is PBK405 and not PBK404).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ALL_CODES, assert_marked, findings
from python_backend_kit.rule_docs import marked_codes

POOL_CODES = frozenset(c for c in ALL_CODES if c.startswith("PBK4"))

CASES = sorted((Path(__file__).parent / "data" / "pools").glob("case_*.py"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_raises_exactly_what_it_marks(path):
    # the pool rules plus any other rule the case marks on purpose
    source = path.read_text()
    assert_marked(source, codes=POOL_CODES | {code for _, code in marked_codes(source)})


@pytest.mark.parametrize("path", [p for p in CASES if "_f" in p.stem], ids=lambda p: p.stem)
def test_must_flag_cases_flag_their_own_rule(path):
    code = "PBK" + path.stem.split("_")[1]
    assert any(c == code for _, c in findings(path.read_text())), path.name
