import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402

from python_backend_kit import engine  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_engine_plans():
    """Tests patch check classes; plans built from a patched class must not outlive the test."""
    engine.forget_plans()
    yield
    engine.forget_plans()
