"""Mutation score of the modules that carry the promises (issue 29 item 5), with mutmut.

    python tests/mutation.py [MODULE ...]     (what `python3 tasks.py mutate` runs)

Each module is mutated in a scratch copy of the project (app/, tests/, pyproject.toml) with
only its own tests, one module at a time: the machine's cores are shared. Prints killed /
mutants per module; tests/MUTATION.md keeps the figures and why each survivor is harmless.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module: the tests that claim its promises (fast ones; mutmut runs those that reach each
# mutated function).
MODULES: dict[str, list[str]] = {
    "app/vcard/writer.py": ["tests/vcard/test_writer_bytes.py"],
    "app/services/merging.py": [
        "tests/services/test_merge_introductions.py",
        "tests/services/test_import_merge_export.py",
        "tests/services/test_merge_history.py",
    ],
    "app/services/importing.py": [
        "tests/services/test_import_merge_export.py",
        "tests/services/test_reimport.py",
        "tests/services/test_trust.py",
        "tests/services/test_parallel_read.py",
        "tests/services/test_import_promises.py",
    ],
    "app/services/sending.py": [
        "tests/services/test_sending.py",
        "tests/services/test_outreach.py",
    ],
    "app/services/sync.py": [
        "tests/services/test_sync.py",
        "tests/services/test_sync_servers.py",
        "tests/services/test_sync_failures.py",
    ],
    "app/storage/backups.py": [
        "tests/storage/test_backups.py",
        "tests/storage/test_db.py",
        "tests/storage/test_safety.py",
        # Its two backup tests; the upgrade killed at ten points takes 40 s a run.
        "tests/storage/test_interrupted_upgrade.py::test_a_backup_killed_part_way_is_not_listed_and_the_next_start_opens",
        "tests/storage/test_interrupted_upgrade.py::test_a_backup_that_fails_leaves_nothing_behind",
    ],
    "app/ui/common/commands.py": [
        "tests/ui/common/test_undo_commands.py",
        "tests/ui/common/test_background_steps.py",
        "tests/ui/common/test_undo_stack.py",
    ],
    "app/vcard/reader.py": ["tests/vcard/test_dialects.py", "tests/vcard/test_corpus.py"],
}

# A crash of the test run (mutmut's "segfault": SIGSEGV, or SIGKILL at its CPU limit) is a
# mutant caught too: PySide6 crashes on, for instance, QUndoStack.push(None).
KILLED = {"killed", "timeout", "segfault"}
# Two at a time at most: the machine's cores are shared (mutmut would take them all).
CHILDREN = "2"


def score(module: str, tests: list[str]) -> tuple[int, int, list[str]]:
    """(killed, mutants, the survivors' names) for *module* against *tests*."""
    keep = os.environ.get("MUTATION_KEEP")  # a folder to leave the copy in, to `mutmut show`
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        work = Path(keep) / Path(module).stem if keep else Path(tmp)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for part in ("app", "tests"):
            shutil.copytree(ROOT / part, work / part, ignore=ignore)
        config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        config += (
            "\n[tool.mutmut]\n"
            'source_paths = ["app"]\n'
            f"only_mutate = [{module!r}]\n"
            f"pytest_add_cli_args_test_selection = {tests!r}\n"
            'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n'
        ).replace("'", '"')
        (work / "pyproject.toml").write_text(config, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["QT_QPA_PLATFORM"] = "offscreen"
        mutmut = [sys.executable, "-m", "mutmut"]
        subprocess.run([*mutmut, "run", "--max-children", CHILDREN], cwd=work, env=env, check=False)
        out = subprocess.run(
            [*mutmut, "results", "--all", "true"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    statuses = dict(re.findall(r"^\s*(\S+): (\w[\w ]*)$", out, re.MULTILINE))
    killed = sum(s in KILLED for s in statuses.values())
    survivors = sorted(name for name, s in statuses.items() if s not in KILLED)
    return killed, len(statuses), survivors


def main(argv: list[str]) -> int:
    chosen = argv or list(MODULES)
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        print(f"not in the table: {', '.join(unknown)}; known: {', '.join(MODULES)}")
        return 2
    lines = []
    for module in chosen:
        killed, total, survivors = score(module, MODULES[module])
        share = 100 * killed / total if total else 0.0
        lines.append(f"{module}: {killed}/{total} mutants killed ({share:.0f}%)")
        for name in survivors:
            lines.append(f"    survived: {name}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
