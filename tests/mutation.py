"""Mutation score of the modules that carry the promises (issue 29 item 5), with mutmut.

    python tests/mutation.py [--keep DIR] [--max-children N] [--functions F,G]
                             [--recheck-timeouts] [MODULE[:GROUP] ...]
    (what `python3 tasks.py mutate` runs)

Each module is mutated in a scratch copy of the project (app/, tests/, pyproject.toml) with
only its own tests, one module at a time: the machine's cores are shared. Prints killed /
mutants per module; tests/MUTATION.md keeps the figures and why each survivor is harmless.
A module in GROUPS is measured group by group (each its functions against its own tests, in
a copy of its own); `MODULE:GROUP` runs one group, `MODULE` all of them in turn.
`--keep DIR` makes the scratch copy in DIR (one folder per module or group) and leaves it
there, so `cd DIR/<module> && python -m mutmut show NAME` shows a survivor.
`--max-children N`: mutants run at once (2 by default).
`--recheck-timeouts`: each mutant mutmut calls "timeout" is run again by hand.
`--functions F,G`: only the mutants of these functions (`name` or `Class.method`) of the module
or group: a module measured again where a change touched it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import re
import shutil
import signal
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
        "tests/services/test_import_kept_pieces.py",
    ],
    "app/services/sending.py": [
        "tests/services/test_sending.py",
        "tests/services/test_outreach.py",
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


def _functions(*names: str, module: str = "app/services/sync.py") -> list[str]:
    """mutmut's name patterns of the mutants of these functions of *module*: `name`, or
    `Class.method` (mutmut's `xǁClassǁmethod`)."""
    dotted = module.removesuffix(".py").replace("/", ".")
    out = []
    for n in names:
        cls, _, method = n.rpartition(".")
        mangled = f"xǁ{cls}ǁ{method}" if cls else n if "ǁ" in n else f"x_{n}"
        out.append(f"{dotted}.{mangled}__mutmut_*")
    return out


SYNC_TESTS = "tests/services/test_sync.py::"
SERVERS_TESTS = "tests/services/test_sync_servers.py::"

# Modules measured in groups of their functions, each against the tests that claim its
# promises: {module: {group: (mutmut's name patterns, tests)}}. Every sync test starts
# Radicale or Xandikos (the four files take about 40 s once), and mutmut runs a surviving
# mutant against every selected test that reached its function: the loop's functions are
# reached by all of them.
GROUPS: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "app/services/sync.py": {
        # Merging two sides' edits, and splicing this side's lines into another client's card.
        "merge": (
            _functions(
                *("three_way", "_merge_lists", "resolve_conflict", "differences", "_show"),
                *("_over", "_splice", "_regrouped", "_field_of", "_same", "_differing"),
            ),
            [
                "tests/services/test_sync_merge.py",
                SYNC_TESTS + "test_edits_deletions_and_a_server_only_property_both_ways",
                SYNC_TESTS
                + "test_groups_photos_and_categories_the_server_holds_survive_a_local_edit",
                SYNC_TESTS + "test_both_sides_edit_apart_merge_and_the_same_field_is_a_conflict",
                SYNC_TESTS + "test_both_sides_adding_and_removing_emails_are_all_kept",
                SYNC_TESTS + "test_taking_the_servers_side_of_a_conflict",
                SERVERS_TESTS
                + "test_an_edit_here_changes_only_its_own_lines_of_another_clients_card",
                SERVERS_TESTS + "test_a_group_renamed_longer_is_folded_again_and_unchanged_"
                "cards_keep_their_bytes",
            ],
        ),
        # The card's text: whole, over a server's card, its REV, lines, version, UID, href.
        "text": (
            _functions(
                *("card_text", "server_text", "_revised", "_content_lines", "_joined"),
                *("_version", "_introducer", "_uid_in", "_hash", "parse_card", "_comparable"),
                "_safe",
            ),
            [
                "tests/services/test_sync_merge.py",
                "tests/services/test_sync_text.py",
                SYNC_TESTS + "test_first_sync_of_a_whole_book_into_an_empty_second_act",
                SYNC_TESTS + "test_edits_deletions_and_a_server_only_property_both_ways",
                SYNC_TESTS
                + "test_groups_photos_and_categories_the_server_holds_survive_a_local_edit",
                SYNC_TESTS + "test_a_second_device_converges_on_the_same_contacts",
                SERVERS_TESTS + "test_the_first_sync_writes_nothing_over_another_clients_card",
                SERVERS_TESTS
                + "test_an_edit_here_changes_only_its_own_lines_of_another_clients_card",
                SERVERS_TESTS + "test_a_group_renamed_longer_is_folded_again_and_unchanged_"
                "cards_keep_their_bytes",
                SERVERS_TESTS
                + "test_the_first_sync_adds_what_only_this_side_knew_and_keeps_the_rest",
                SERVERS_TESTS
                + "test_a_card_of_the_same_uid_added_there_meanwhile_is_linked_not_an_error",
            ],
        ),
        # Accounts, the sync loop (pull, push, deletions both ways, the handful threshold,
        # paging, stopping, refusals, unreadable cards), the report: every sync test.
        "loop": (
            _functions(
                *("xǁSyncReportǁadd", "passwords", "add_account", "accounts", "books_of"),
                *("remove_account", "conflicts", "sync_all", "_sync_all", "_set_error"),
                *("sync_book", "_unread", "_pull", "_links", "_server_changes", "_all_pages"),
                *("_apply_server_cards", "_as_here", "_live_contact", "_apply_change"),
                *("_apply_server_deletions", "_push_local_edits", "_where", "_write"),
                *("_refused", "_push_new_contacts", "_link", "_deleted_here"),
                *("_push_local_deletions", "last_synced", "_first_of_each", "_says_all"),
            ),
            [  # in the order they run (MUTATION_ORDER): those that catch most first
                "tests/services/test_sync.py",
                "tests/services/test_sync_failures.py",
                "tests/services/test_sync_loop.py",
                "tests/services/test_sync_push.py",
                "tests/services/test_sync_connect.py",
                "tests/services/test_sync_accounts.py",
                "tests/services/test_sync_servers.py",
                "tests/services/test_sync_text.py",
                "tests/services/test_sync_merge.py",
            ],
        ),
    },
}


# mutmut forks one child per core by default; the machine's two cores are shared.
MAX_CHILDREN = "2"

# A crash of the test run (mutmut's "segfault": SIGSEGV, or SIGKILL at its CPU limit) is a
# mutant caught too: PySide6 crashes on, for instance, QUndoStack.push(None).
KILLED = {"killed", "timeout", "segfault"}

# mutmut's wall-clock limit is this many times the tests' time, measured once at the start.
# 3 for most: mutmut's default (15 times a test's time) let each mutant that loops in
# sending's claim_next run for minutes before it counted as a timeout. 8 for sync.py: with
# the cores busy, its mutants that merely survived slowly (every test starts a server)
# went past 3 times and were counted as timeouts, that is as caught.
TIMEOUT_MULTIPLIER = {"app/services/sync.py": 8.0}


def score(
    module: str,
    tests: list[str],
    keep: Path | None = None,
    patterns: list[str] | None = None,
    name: str = "",
    children: str = MAX_CHILDREN,
    recheck: bool = False,
) -> tuple[int, int, list[str]]:
    """(killed, mutants, the survivors' names) for *module* against *tests*, only the mutants
    matching *patterns* if given; the scratch copy is made in *keep*/<*name* or module> and
    left there when *keep* is given."""
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        work = Path(tmp) if keep is None else keep / (name or module).replace("/", "_")
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
            f"timeout_multiplier = {TIMEOUT_MULTIPLIER.get(module, 3.0)}\n"
        ).replace("'", '"')
        (work / "pyproject.toml").write_text(config, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["QT_QPA_PLATFORM"] = "offscreen"
        # tests/conftest.py runs the tests in the order listed (mutmut's is a set's).
        files = dict.fromkeys(t.split("::", 1)[0] for t in tests if t.startswith("tests/"))
        env["MUTATION_ORDER"] = ",".join(files)
        mutmut = [sys.executable, "-m", "mutmut"]
        subprocess.run(
            [*mutmut, "run", "--max-children", children, *(patterns or [])],
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
        if patterns:
            statuses = {
                mutant: status
                for mutant, status in statuses.items()
                if any(fnmatch.fnmatch(mutant, pattern) for pattern in patterns)
            }
        if recheck:
            for mutant in sorted(m for m, s in statuses.items() if s == "timeout"):
                statuses[mutant] = _by_hand(work, env, tests, mutant)
                print(f"    run again by hand: {mutant}: {statuses[mutant]}", flush=True)
    killed = sum(s in KILLED for s in statuses.values())
    survivors = sorted(name for name, s in statuses.items() if s not in KILLED)
    return killed, len(statuses), survivors


# A mutant mutmut calls "timeout" is run again alone: under load, or when a forked test run
# does not end cleanly, mutmut's limits call mutants that merely survived slowly "timeout"
# (9 of commands.py's 10 passed every test when run again alone). Each test then has
# five times the longest test's time (pytest-timeout: a mutant that loops fails there),
# and the whole run at most RECHECK_SECONDS.
RECHECK_SECONDS = 900


def _by_hand(work: Path, env: dict[str, str], tests: list[str], mutant: str) -> str:
    """The status of *mutant* from its tests run once in a process of their own: "killed"
    if one fails or outlasts its time (a loop: caught), "timeout" if the whole run outlasts
    RECHECK_SECONDS, else "survived"."""
    stats = json.loads((work / "mutants" / "mutmut-stats.json").read_text(encoding="utf-8"))
    longest = max(stats.get("duration_by_test", {}).values(), default=2.0)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly"]
    command += [f"--timeout={max(10, round(5 * longest))}"]
    # In a process group of its own, ended whole afterwards: a test stopped at its time
    # leaves the programs it started (the sending tests' command-line senders) running, and
    # under a mutant that loops they spin for ever.
    proc = subprocess.Popen(
        [*command, "-p", "no:cacheprovider", *tests],
        cwd=work / "mutants",
        env={**env, "MUTANT_UNDER_TEST": mutant},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        code: int | None = proc.wait(RECHECK_SECONDS)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return "timeout" if code is None else "survived" if code == 0 else "killed"


def _runs(chosen: list[str]) -> list[tuple[str, str, list[str], list[str]]] | str:
    """(name, module, tests, patterns) of each run *chosen* (MODULE or MODULE:GROUP) asks
    for; the error's words for a name not in the tables."""
    runs = []
    for choice in chosen:
        module, _, group = choice.partition(":")
        groups = GROUPS.get(module, {})
        if module in MODULES and not group:
            runs.append((module, module, MODULES[module], []))
        elif groups and (not group or group in groups):
            for g in [group] if group else list(groups):
                patterns, tests = groups[g]
                runs.append((f"{module}:{g}", module, tests, patterns))
        else:
            known = [*MODULES, *(f"{m}:{g}" for m, gs in GROUPS.items() for g in gs)]
            return f"not in the tables: {choice}; known: {', '.join(known)}"
    return runs


def main(argv: list[str]) -> int:
    # A folder to leave the scratch copies in, to `mutmut show` a survivor there.
    keep = Path(os.environ["MUTATION_KEEP"]).resolve() if os.environ.get("MUTATION_KEEP") else None
    children = MAX_CHILDREN
    only: list[str] = []  # function names
    recheck = False
    while argv[:1] and argv[0].startswith("--"):
        option, argv = argv[0], argv[1:]
        if option == "--recheck-timeouts":
            recheck = True
            continue
        if not argv or option not in ("--keep", "--max-children", "--functions"):
            print(f"unknown option, or no value: {option}")
            return 2
        value, argv = argv[0], argv[1:]
        if option == "--keep":
            keep = Path(value).resolve()
        elif option == "--functions":
            only = value.split(",")
        else:
            children = value
    runs = _runs(argv or [*MODULES, *GROUPS])
    if isinstance(runs, str):
        print(runs)
        return 2
    lines = []
    for name, module, tests, patterns in runs:
        if only:
            wanted = _functions(*only, module=module)
            unknown = sorted(set(wanted) - set(patterns)) if patterns else []
            if unknown:
                print(f"not in {name}: {', '.join(unknown)}")
                return 2
            patterns = wanted
        killed, total, survivors = score(module, tests, keep, patterns, name, children, recheck)
        share = 100 * killed / total if total else 0.0
        lines.append(f"{name}: {killed}/{total} mutants killed ({share:.0f}%)")
        # Printed as each finishes: a long run stopped part way keeps what it measured.
        print(lines[-1], *(f"    survived: {m}" for m in survivors), sep="\n", flush=True)
        lines += [f"    survived: {m}" for m in survivors]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
