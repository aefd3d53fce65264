"""Mutation score of the modules that carry the promises (issue 29 item 5), with mutmut.

    python tests/mutation.py [--keep DIR] [MODULE ...]   (what `python3 tasks.py mutate` runs)

Each module is mutated in a scratch copy of the project (app/, tests/, pyproject.toml) with
only its own tests, one module at a time: the machine's cores are shared. Prints killed /
mutants per module; tests/MUTATION.md keeps the figures and why each survivor is harmless.
`--keep DIR` makes the scratch copy in DIR (one folder per module) and leaves it there, so
`cd DIR/<module> && python -m mutmut show NAME` shows a survivor.
"""

from __future__ import annotations

import fnmatch
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
    ],
    "app/services/importing.py": [
        "tests/services/test_import_merge_export.py",
        "tests/services/test_reimport.py",
        "tests/services/test_trust.py",
        "tests/services/test_parallel_read.py",
        "tests/services/test_import_promises.py",
        "tests/services/test_import_owed.py",
        "tests/services/test_import_streaming.py",
    ],
    "app/services/sending.py": [
        "tests/services/test_sending.py",
        "tests/services/test_outreach.py",
    ],
    # The merge of two sides' edits only (SUBSETS): every test starts Radicale, and all of
    # sync.py against all three files does not finish in an afternoon on two shared cores.
    "app/services/sync.py": [
        "tests/services/test_sync_merge.py",
        "tests/services/test_sync.py::test_edits_deletions_and_a_server_only_property_both_ways",
        "tests/services/test_sync.py::test_groups_photos_and_categories_the_server_holds_survive_a_local_edit",
        "tests/services/test_sync.py::test_both_sides_edit_apart_merge_and_the_same_field_is_a_conflict",
        "tests/services/test_sync.py::test_both_sides_adding_and_removing_emails_are_all_kept",
        "tests/services/test_sync.py::test_taking_the_servers_side_of_a_conflict",
        "tests/services/test_sync_servers.py::test_an_edit_here_changes_only_its_own_lines_of_another_clients_card",
        "tests/services/test_sync_servers.py::test_a_group_renamed_longer_is_folded_again_and_unchanged_cards_keep_their_bytes",
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
    # Without the hypothesis tests (-m): a mutant that loops runs every example to the timeout.
    # A test that loops fails after 5 s (the slowest takes under 1 s), not the whole run after
    # three times its 11 s: a loop costs 5 s, not 36.
    "app/vcard/reader.py": [
        "-m",
        "not hypothesis",
        "--timeout=5",
        "tests/vcard/test_dialects.py",
        "tests/vcard/test_corpus.py",
        "tests/vcard/test_hostile_input.py",
        "tests/vcard/test_details.py",
        "tests/vcard/test_reader_lines.py",
    ],
}

# Modules measured on some of their functions only: mutmut's name patterns of those mutants.
SUBSETS: dict[str, list[str]] = {
    "app/services/sync.py": [
        f"app.services.sync.x_{name}__mutmut_*"
        for name in (
            "three_way",
            "_merge_lists",
            "resolve_conflict",
            "differences",
            "_show",
            "_over",
            "_splice",
            "_regrouped",
            "_field_of",
            "_same",
            "_differing",
        )
    ],
}

# mutmut forks one child per core by default; the machine's two cores are shared.
MAX_CHILDREN = "2"

# A crash of the test run (mutmut's "segfault": SIGSEGV, or SIGKILL at its CPU limit) is a
# mutant caught too: PySide6 crashes on, for instance, QUndoStack.push(None).
KILLED = {"killed", "timeout", "segfault"}


def score(module: str, tests: list[str], keep: Path | None = None) -> tuple[int, int, list[str]]:
    """(killed, mutants, the survivors' names) for *module* against *tests*; the scratch copy
    is made in *keep*/<module> and left there when *keep* is given."""
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        work = Path(tmp) if keep is None else keep / module.replace("/", "_")
        if keep is not None:
            shutil.rmtree(work, ignore_errors=True)
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
            # mutmut's default (15 times a test's time) let each mutant that loops in
            # sending's claim_next run for minutes before it counted as a timeout.
            "timeout_multiplier = 3.0\n"
        ).replace("'", '"')
        (work / "pyproject.toml").write_text(config, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["QT_QPA_PLATFORM"] = "offscreen"
        mutmut = [sys.executable, "-m", "mutmut"]
        subprocess.run(
            [*mutmut, "run", "--max-children", MAX_CHILDREN, *SUBSETS.get(module, [])],
            cwd=work,
            env=env,
            check=False,
        )
        out = subprocess.run(
            [*mutmut, "results", "--all", "true"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    statuses = dict(re.findall(r"^\s*(\S+): (\w[\w ]*)$", out, re.MULTILINE))
    if module in SUBSETS:
        statuses = {
            name: status
            for name, status in statuses.items()
            if any(fnmatch.fnmatch(name, pattern) for pattern in SUBSETS[module])
        }
    killed = sum(s in KILLED for s in statuses.values())
    survivors = sorted(name for name, s in statuses.items() if s not in KILLED)
    return killed, len(statuses), survivors


def main(argv: list[str]) -> int:
    # A folder to leave the scratch copies in, to `mutmut show` a survivor there.
    keep = Path(os.environ["MUTATION_KEEP"]).resolve() if os.environ.get("MUTATION_KEEP") else None
    if argv[:1] == ["--keep"] and len(argv) > 1:
        keep = Path(argv[1]).resolve()
        argv = argv[2:]
    chosen = argv or list(MODULES)
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        print(f"not in the table: {', '.join(unknown)}; known: {', '.join(MODULES)}")
        return 2
    lines = []
    for module in chosen:
        killed, total, survivors = score(module, MODULES[module], keep)
        share = 100 * killed / total if total else 0.0
        lines.append(f"{module}: {killed}/{total} mutants killed ({share:.0f}%)")
        for name in survivors:
            lines.append(f"    survived: {name}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
