"""What every `lianhu` command shares: its files checked to exist, the policy and rosters loaded, the store opened
(and, made by a command that failed, removed again), periods read, tables shown to people."""

from __future__ import annotations

import argparse

import os
import sys
import warnings
from pathlib import Path

from .errors import RosterWarning, UsageError


def _existing(paths: list[Path]) -> list[Path]:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"找不到 / not found: {', '.join(missing)}")
    return paths


def _policy(policy_file: Path | None):
    from .policy import load_policy

    return load_policy(_existing([policy_file])[0] if policy_file else None)


def _load(paths: list[Path], policy_file: Path | None):
    from .rosters import load_rosters

    policy = _policy(policy_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RosterWarning)
        return load_rosters(_existing(paths), policy=policy), policy


def _store(args, create: bool = True):
    """The store a command uses (`_store_url`), its place said on stderr; commands that only read never create
    one. A SQLite store (and folders) made here is said as new, and removed again if the command does not succeed
    (`_undo_new_stores`)."""
    from .store import Store

    url = _store_url(args)
    file = Path(url) if "://" not in url else Path(url.split(":///", 1)[1]) if url.startswith("sqlite:///") else None
    new = [p for p in (file, *file.parents) if not p.exists()] if create and file and file.name else []
    store = Store(url, create=create)
    _NEW_STORES.extend(new)
    print(f"数据库 / store: {store.url.render_as_string() if file is None else file.resolve()}"
          + ("（新建 / new）" if new else ""), file=sys.stderr)
    return store


def _store_url(args) -> str:
    """Which store: --db, else the environment's LIANHU_DB, else data/lianhu.sqlite in the current folder."""
    from .store import DEFAULT_URL

    return str(args.db or os.environ.get("LIANHU_DB") or DEFAULT_URL)


_NEW_STORES: list[Path] = []  # files and folders `_store` made in this run


def _undo_new_stores() -> None:
    """A command that failed leaves no new, empty store behind."""
    for path in _NEW_STORES:  # the file first, then the folders made for it
        try:
            for piece in (path, *(path.with_name(path.name + side) for side in ("-wal", "-shm", "-journal"))):
                if piece.is_file():
                    piece.unlink()
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        except OSError:  # still open elsewhere (Windows): left as it is
            pass


def _for_people(table) -> str:
    """A table as a person reads it: whole numbers with thousands separators, others to one decimal."""
    shown = table.copy()
    for column in shown.select_dtypes("number").columns:
        shown[column] = [f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}" for v in shown[column]]
    return shown.to_string(index=False)


def _period(period: str) -> str:
    from .periods import PeriodError, check_period

    try:
        return check_period(period)
    except PeriodError as exc:
        raise UsageError(str(exc)) from None


def _whole(low: int, high: int, what: str):
    """An argparse type: a whole number from `low` to `high` (else exit 2)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what}须为 {low} 到 {high} 之间的整数 / must be a whole number from {low} "
                                             f"to {high}, not {text!r}")
        return value
    return parse
