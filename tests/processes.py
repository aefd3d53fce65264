"""The helper and reader processes an import starts, found through /proc (Linux)."""

from __future__ import annotations

import os
from pathlib import Path


def spawned_children(parent: int) -> list[int]:
    """Processes started by multiprocessing's spawn whose parent is *parent* (via /proc)."""
    kids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        ppid = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid"))
        if ppid == str(parent) and b"spawn_main" in cmdline:
            kids.append(int(pid))
    return kids


def process_state(pid: int) -> str:
    """R, S, T (stopped), Z (dead, not yet waited for)… of process *pid*, from /proc."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
