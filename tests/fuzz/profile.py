"""How hard the fuzz tests try: a few seconds in the normal test run, a large budget under
``python3 tasks.py fuzz`` (which sets SECOND_ACT_FUZZ=long and the number of examples)."""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, settings

LONG = os.environ.get("SECOND_ACT_FUZZ") == "long"

settings.register_profile(
    "second-act-fuzz",
    max_examples=20,
    # No hang: each example must finish in this time (generous: two shared cores); a real
    # hang is stopped by pytest-timeout.
    deadline=timedelta(seconds=10),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)
settings.register_profile(
    "second-act-fuzz-long",
    parent=settings.get_profile("second-act-fuzz"),
    max_examples=int(os.environ.get("SECOND_ACT_FUZZ_EXAMPLES", "2000")),
)
fuzz = settings(settings.get_profile("second-act-fuzz-long" if LONG else "second-act-fuzz"))

# Examples tried, per test: printed at the end of the run, and written where
# SECOND_ACT_FUZZ_REPORT says for tasks.py fuzz to add up.
tried: Counter[str] = Counter()
