"""The store's side of a new roster: the roster received kept as sent, its changes against the roster as it
counted (`changes.detect`), each change's steps, and the roster as it counts now (`changes.effective`) saved
again whenever a change is approved — together with what the approval does to pairings and links: an exit
or a removal ends its household's pairing, a cadre who left ends theirs (a colleague takes over at the next
re-pairing), a merged unit's links and pairings pass to the unit it joined, a re-coded village keeps its links."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from ..changes.detect import roster_changes
from ..changes.effective import broken_references, effective_rosters
from ..changes.kinds import ENDS_CADRE_PAIRINGS, ENDS_PAIRINGS, KINDS
from ..changes.steps import REJECTED, step_problems, steps_of, with_next_steps
from ..errors import ChangeError, NotInStore
from ..policy import Policy
from ..rosters import Rosters
from .writes import insert_frame, now
from .tables import change_steps, imports, links_table, pairings, roster_tables, team_assignments
from .tables import roster_changes as changes_table

RECEIVED = "rosters_received"  # the import kind of a roster as an office sent it


@dataclass
class Received:
    """A new roster taken in: its import, the roster it was compared with, its changes, and how many counted at
    once (a group with no steps) or were carried over from an earlier roster with the steps they had passed."""

    received: int
    base: int
    changes: pd.DataFrame
    applied: int
    carried: int
    effective: int | None  # the import of the roster as it counts now, if it changed


class RosterChanges:
    """Mixed into `Store`."""

    def receive_rosters(self, received: Rosters, policy: Policy, source: str = "", today: dt.date | None = None) -> Received:
        """Keep `received` as sent, list its changes against the roster as it counts (open changes of an earlier
        roster found again keep the steps they passed; the others are superseded), and save the roster as it
        counts: the changes of a group without steps apply at once. One transaction."""
        with self.transaction("rosters") as conn:
            base = self._latest_rosters(conn)
            old = self.rosters(base, conn=conn)
            found = roster_changes(old, received, policy)
            received_id = self._import(conn, RECEIVED, source or ", ".join(received.files), sum(map(len, received.tables().values())))
            self._save_snapshot(conn, received, received_id)
            earlier = pd.read_sql(sa.select(changes_table).where(changes_table.c.state == "open"), conn)
            same = found.merge(earlier[["id", "kind", "subject_id", "after"]], on=["kind", "subject_id", "after"], how="left")
            carried = same["id"].notna()
            superseded = earlier[~earlier["id"].isin(same.loc[carried, "id"])]
            if len(superseded):
                conn.execute(changes_table.update().where(changes_table.c.id.in_(superseded["id"].tolist()))
                             .values(state="superseded"))
            if carried.any():
                conn.execute(changes_table.update().where(changes_table.c.id.in_(same.loc[carried, "id"].astype(int).tolist()))
                             .values(received=received_id, base=base))
            new = _with_earlier_rejections(conn, found[~carried.to_numpy()])
            at_once = [not steps_of(kind, policy) for kind in new["kind"]]
            insert_frame(conn, changes_table, new.assign(received=received_id, base=base, at=now(), step=None,
                                                         state=["approved" if a else "open" for a in at_once]))
            self._audit(conn, "receive", "roster_changes", str(received_id), None, json.dumps(
                {"changes": len(found), "carried": int(carried.sum()), "superseded": len(superseded),
                 "applied": int(sum(at_once))}))
            effective = self._save_effective(conn, received_id, base)
            listed = pd.read_sql(sa.select(changes_table).where(changes_table.c.received == received_id)
                                 .order_by(changes_table.c.id), conn)
        return Received(received_id, base, with_next_steps(listed, policy), int(sum(at_once)), int(carried.sum()), effective)

    def roster_change_list(self, policy: Policy, state: str | None = None, received: int | None = None) -> pd.DataFrame:
        """The changes (of the latest roster received, or of `received`; in one `state`), with the step each is at.
        Those decided (approved, rejected, superseded) are listed from every roster received, unless `received`."""
        with self.engine.connect() as conn:
            query = sa.select(changes_table)
            if received or state in (None, "open"):
                received = received or conn.execute(sa.select(sa.func.max(imports.c.import_id))
                                                    .where(imports.c.kind == RECEIVED)).scalar()
                query = query.where(changes_table.c.received == received)
            if state:
                query = query.where(changes_table.c.state == state)
            listed = pd.read_sql(query.order_by(changes_table.c.id), conn)
        return with_next_steps(listed, policy)

    def previous_year_rosters(self) -> Rosters | None:
        """The roster the latest roster received was compared with (last year's, as it counted), if any."""
        with self.engine.connect() as conn:
            base = conn.execute(sa.select(changes_table.c.base).order_by(changes_table.c.id.desc()).limit(1)).scalar()
        return None if base is None else self.rosters(base)

    def pairings_ended_by_approval(self) -> pd.DataFrame:
        """The pairings that the approved exits and removals of the latest roster received ended (不脱贫不脱钩: they
        ended then, not before): cadre_id, household_id, unit_id, reason."""
        with self.engine.connect() as conn:
            latest = sa.select(sa.func.max(imports.c.import_id)).where(imports.c.kind == RECEIVED).scalar_subquery()
            households = sa.select(changes_table.c.subject_id).where(
                changes_table.c.received == latest, changes_table.c.state == "approved",
                changes_table.c.kind.in_(sorted(ENDS_PAIRINGS)))
            ended = pd.read_sql(sa.select(pairings.c.cadre_id, pairings.c.household_id, pairings.c.unit_id, pairings.c.reason)
                                .where(pairings.c.status == "ended", pairings.c.household_id.in_(households))
                                .order_by(pairings.c.id), conn)
        return ended.drop_duplicates("household_id", keep="last").reset_index(drop=True)

    def change_history(self, ids: list[int] | None = None) -> pd.DataFrame:
        """Every step passed (or rejection), oldest first: change_id, step, done_on, reason, at, who."""
        query = sa.select(change_steps).order_by(change_steps.c.id)
        if ids is not None:
            query = query.where(change_steps.c.change_id.in_(ids))
        with self.engine.connect() as conn:
            return pd.read_sql(query, conn)

    def pass_step(self, ids: list[int], step: str, on: dt.date, reason: str, policy: Policy,
                  today: dt.date | None = None) -> dict[str, int]:
        """Pass `step` for the changes numbered `ids`, dated `on`; the last step approves them and does what they
        bring (the roster as it counts, pairings ended, links moved). All or nothing: every problem raises
        ChangeError at once. Returns what was done."""
        ids = sorted({int(i) for i in ids})
        with self.transaction("changes") as conn:
            listed = pd.read_sql(sa.select(changes_table), conn)
            history = pd.read_sql(sa.select(change_steps), conn)
            problems = step_problems(listed, ids, step, on, reason, policy, history, today or dt.date.today(),
                                     _program_start(conn))
            if problems:
                raise ChangeError.said(*problems)
            chosen = with_next_steps(listed[listed["id"].isin(ids)], policy)
            self._may(conn, "approvals" if chosen["last_step"].any() else "changes", chosen["county_code"].fillna("city"))
            self._record_steps(conn, ids, step, on, reason)
            approving = chosen[chosen["last_step"]]
            conn.execute(changes_table.update().where(changes_table.c.id.in_(ids)).values(step=step))
            done = {"passed": len(ids), "approved": len(approving), "pairings_ended": 0}
            if len(approving):
                conn.execute(changes_table.update().where(changes_table.c.id.in_(approving["id"].tolist()))
                             .values(state="approved"))
                for received, base in approving[["received", "base"]].drop_duplicates().itertuples(index=False):
                    self._save_effective(conn, int(received), int(base), check=True)
                done["pairings_ended"] = self._approved(conn, approving, step, on)
            self._audit(conn, "step", "roster_changes", ",".join(map(str, ids)), None,
                        json.dumps({"step": step, "on": str(on), "reason": reason, **done}, ensure_ascii=False))
        return done

    def reject_changes(self, ids: list[int], on: dt.date, reason: str, policy: Policy, today: dt.date | None = None) -> int:
        """The changes do not count (the roster as it counts keeps what it had); dated, with a reason."""
        ids = sorted({int(i) for i in ids})
        with self.transaction("changes") as conn:
            listed = pd.read_sql(sa.select(changes_table), conn)
            open_ids = set(listed.loc[listed["state"] == "open", "id"])
            problems = step_problems(listed.assign(step=None), [], REJECTED, on, reason, policy, listed.iloc[:0], today
                                     or dt.date.today(), _program_start(conn))
            if not ids:
                problems.append("没有选出任何变化 / no change was chosen")
            problems += [f"变化 {i} 不在办理中，不能退回 / change {i} is not open" for i in ids if i not in open_ids]
            history = pd.read_sql(sa.select(change_steps).where(change_steps.c.change_id.in_(ids)), conn)
            last = history.groupby("change_id")["done_on"].max() if len(history) else pd.Series(dtype=object)
            problems += [f"变化 {i}：日期 {on} 早于上一步的 {pd.Timestamp(day).date()} / change {i}: {on} is before its "
                         f"previous step ({pd.Timestamp(day).date()})" for i, day in last.items() if on < pd.Timestamp(day).date()]
            if problems:
                raise ChangeError.said(*problems)
            self._may(conn, "approvals", listed.loc[listed["id"].isin(ids), "county_code"].fillna("city"))  # its fate
            self._record_steps(conn, ids, REJECTED, on, reason)
            conn.execute(changes_table.update().where(changes_table.c.id.in_(ids)).values(state="rejected"))
            self._audit(conn, "reject", "roster_changes", ",".join(map(str, ids)), None,
                        json.dumps({"on": str(on), "reason": reason}, ensure_ascii=False))
        return len(ids)

    # ------------------------------------------------------------ under the write lock

    def _latest_rosters(self, conn) -> int:
        latest = conn.execute(sa.select(sa.func.max(imports.c.import_id)).where(imports.c.kind == "rosters")).scalar()
        if latest is None:
            raise NotInStore("库中还没有名册：第一次请用 lianhu validate 名册 --save / no rosters in the store yet: the first "
                             "time, use lianhu validate ROSTERS --save")
        return latest

    def _save_snapshot(self, conn, rosters: Rosters, import_id: int) -> None:
        for name, frame in rosters.tables().items():
            insert_frame(conn, roster_tables[name], frame.assign(import_id=import_id))

    def _save_effective(self, conn, received: int, base: int, check: bool = False) -> int | None:
        """The roster as it counts after the changes of `received` approved so far, saved as a new snapshot if it
        differs from the latest; with `check`, one whose rosters would not fit together is refused."""
        unapproved = pd.read_sql(sa.select(changes_table).where((changes_table.c.received == received)
                                                                & (changes_table.c.state != "approved")), conn)
        effective = effective_rosters(self.rosters(received, conn=conn), self.rosters(base, conn=conn), unapproved)
        if check:
            broken = broken_references(effective)
            if broken:
                raise ChangeError.said(*["审批后名册前后不一致，请先审批它所依赖的村或单位的变化 / approved, the rosters would not fit "
                                   "together: approve the changes of the villages or units they depend on first", *broken[:20]])
        latest = self._latest_rosters(conn)
        if effective.same_as(self.rosters(latest, conn=conn)):
            return None
        import_id = self._import(conn, "rosters", f"审批后的名册（收到的名册 {received}）/ the roster as approved (received "
                                                  f"{received})", sum(map(len, effective.tables().values())))
        self._save_snapshot(conn, effective, import_id)
        return import_id

    def _record_steps(self, conn, ids: list[int], step: str, on: dt.date, reason: str) -> None:
        conn.execute(change_steps.insert(), [{"change_id": i, "step": step, "done_on": on, "reason": reason, "at": now(),
                                              "who": self.who} for i in ids])

    def _approved(self, conn, approved: pd.DataFrame, step: str, on: dt.date) -> int:
        """What approved changes do to pairings, links and teams; the pairings ended."""
        why = lambda kind: f"{KINDS[kind].zh}（{step} {on}）/ {KINDS[kind].en}, approved {on}"  # noqa: E731
        open_pairs = pd.read_sql(sa.select(pairings.c.id, pairings.c.status, pairings.c.household_id, pairings.c.cadre_id)
                                 .where(pairings.c.status != "ended"), conn)
        ended = 0
        for kind, rows in approved.groupby("kind"):
            column = "household_id" if kind in ENDS_PAIRINGS else "cadre_id" if kind in ENDS_CADRE_PAIRINGS else None
            if column:
                ending = open_pairs[open_pairs[column].isin(rows["subject_id"])]
                self._move(conn, pairings, ending, "ended", why(kind))
                ended += len(ending)
            for change in rows.itertuples():
                if kind == "unit_merged":
                    into = json.loads(change.after)["unit_id"]
                    for table in (links_table, pairings, team_assignments):
                        conn.execute(table.update().where(table.c.unit_id == change.subject_id).values(unit_id=into))
                elif kind == "village_recoded":
                    into = json.loads(change.after)["village_code"]
                    for table in (links_table, team_assignments):
                        conn.execute(table.update().where(table.c.village_code == change.subject_id).values(village_code=into))
        return ended


def _program_start(conn) -> dt.date | None:
    """The first day of the first term any pairing was made for (None before any)."""
    year = conn.execute(sa.select(sa.func.min(pairings.c.term_start))).scalar()
    return None if year is None else dt.date(int(year), 1, 1)


def _with_earlier_rejections(conn, new: pd.DataFrame) -> pd.DataFrame:
    """The new changes, their evidence saying when and why the same change of the same subject was rejected before."""
    rejected = pd.read_sql(sa.select(changes_table.c.kind, changes_table.c.subject_id, change_steps.c.done_on,
                                     change_steps.c.reason)
                           .join(change_steps, change_steps.c.change_id == changes_table.c.id)
                           .where(changes_table.c.state == "rejected", change_steps.c.step == REJECTED)
                           .order_by(change_steps.c.id), conn)
    if rejected.empty or new.empty:
        return new
    last = rejected.drop_duplicates(["kind", "subject_id"], keep="last").set_index(["kind", "subject_id"])
    keys = pd.MultiIndex.from_frame(new[["kind", "subject_id"]])
    on, reason = last["done_on"].reindex(keys).to_numpy(), last["reason"].reindex(keys).to_numpy()
    before = pd.notna(on)
    day = [str(pd.Timestamp(d).date()) if b else "" for d, b in zip(on, before)]
    zh = [f"{e or ''}（曾于 {d} 未通过：{r}）" if b else e for e, d, r, b in zip(new["evidence_zh"], day, reason, before)]
    en = [f"{e or ''} (rejected before, on {d}: {r})" if b else e for e, d, r, b in zip(new["evidence_en"], day, reason, before)]
    return new.assign(evidence_zh=zh, evidence_en=en)
