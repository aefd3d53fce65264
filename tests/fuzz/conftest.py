"""Counts the fuzz examples tried and the tests that failed, for tasks.py fuzz."""

from __future__ import annotations

import json
import os

import pytest

from tests.fuzz.profile import tried

failed: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed and "/fuzz/" in report.nodeid.replace("\\", "/"):
        failed.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if tried:
        counts = ", ".join(f"{name} {n}" for name, n in sorted(tried.items()))
        terminalreporter.write_line(f"fuzz examples tried: {counts}")
    report = os.environ.get("SECOND_ACT_FUZZ_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as f:
            json.dump({"tried": dict(tried), "failed": failed}, f)
