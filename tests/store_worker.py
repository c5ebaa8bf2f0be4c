"""A second program writing to the store, for the tests of two writers at once: `python store_worker.py URL JOB
[ARG…] [--stall|--hold]`. It prints "ready" once the store is open, "half" half-way through its write (with
--stall it then sleeps, to be killed; with --hold it waits for a line on stdin), then "done", or "refused: …"
with the store's own message (exit 1)."""

from __future__ import annotations

import sys
import time

import pandas as pd

from lianhu_tools.errors import InputError, NotAllowed, StoreBusy, StoreConflict
from lianhu_tools.store import store as s


def records(first: int, n: int, numbered: bool = True, village: str = "620502101201") -> pd.DataFrame:
    ids = range(first, first + n)
    return pd.DataFrame({"record_id": [f"R{i:09d}" for i in ids] if numbered else None,
                         "date": pd.Timestamp("2025-03-18"), "actor_kind": "干部", "actor_id": "C1", "target_kind": "户",
                         "target_id": [f"H{i}" for i in ids], "task": "宣传政策", "kind": "走访", "quantity": 1.0,
                         "days": 1.0, "note": None, "period": "2025H1", "village_code": village})


def pairs(cadre: str, households: int) -> pd.DataFrame:
    return pd.DataFrame({"cadre_id": [f"{cadre}{i}" for i in range(households)],
                         "household_id": [f"H{i}" for i in range(households)]})


def main(url: str, job: str, *args: str) -> int:
    mode = next((a for a in args if a.startswith("--")), "")
    args = [a for a in args if not a.startswith("--")]
    if mode:
        insert = s._insert_frame

        def halting(conn, table, frame):  # the first half written, then wait: to be killed, or for a line
            insert(conn, table, frame.iloc[: len(frame) // 2])
            print("half", flush=True)
            time.sleep(600) if mode == "--stall" else sys.stdin.readline()
            insert(conn, table, frame.iloc[len(frame) // 2:])

        s._insert_frame = halting
    store = s.Store(url)
    print("ready", flush=True)
    try:
        if job == "import":  # first n [unnumbered] [digest]
            first, n = int(args[0]), int(args[1])
            numbered = "unnumbered" not in args
            store.add_activities(records(first, n, numbered), source=f"writer {first}",
                                 digest=args[3] if len(args) > 3 else None)
        elif job == "accept":  # cadre-prefix households
            store.save_pairings(pairs(args[0], int(args[1])), 2025, "confirmed")
        else:
            raise SystemExit(f"unknown job {job}")
    except (InputError, StoreBusy, StoreConflict, NotAllowed) as exc:
        print(f"refused: {exc}", flush=True)
        return 1
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
