"""The store: one SQLite file under data/ by default (any SQLAlchemy URL, e.g. PostgreSQL, works too).

It keeps roster snapshots, unit–village links and cadre–household pairings with their status
history, work-team assignments, activity records (四级建档) and an audit log. Every write is one
transaction: a crash part-way leaves the previous state; a second writer waits for the first (and,
after `BUSY_SECONDS`, gets `StoreBusy` — "busy, try again"), never a corrupt file or a lost record.
The schema is versioned: a new file is created at the latest version, an older one is migrated.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import uuid
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from ..assessment.run import ranked
from ..changes.kinds import ENDS_CADRE_PAIRINGS, ENDS_PAIRINGS
from ..errors import (AdjustmentError, AlreadyImported, ArchiveError, NotAllowed, NotInStore, PlanError, Problem, StoreBusy,
                      StoreConflict, masked)
from ..periods import halves_of
from ..rosters import Rosters
from ..roles import ROLES, WRITES, WRITING, role_label
from ..schema import HOUSEHOLD_PERSONAL_FIELDS, VILLAGE
from ..schema import TABLES as SCHEMA_TABLES
from . import migrations, postgres_roles
from .changes import RosterChanges
from .writes import insert_frame as _insert_frame
from .writes import now
from .samples import Samples
from .warnings import Warnings
from .migrations import create_or_migrate
from .tables import (
    FINGERPRINTED,
    STATUSES,
    activities,
    RESULT_COLUMNS,
    adjustments,
    assessment_results,
    assessment_scores,
    assessments,
    audit_log,
    change_steps,
    imports,
    links_table,
    meta,
    pairings,
    plans,
    roster_changes,
    roster_tables,
    status_history,
    team_assignments,
    users,
)

DEFAULT_URL = "sqlite:///data/lianhu.sqlite"
BUSY_SECONDS = 60  # a writer waits this long for another to finish before giving up
POSTGRES_LOGIN = re.compile(r"[a-z][a-z0-9_]{0,62}")  # a database role's name: lower case, never quoted
RESERVED_LOGINS = re.compile(r"(lianhu_|pg_)|(public|postgres|none|current_user|session_user|current_role)$")
WRITE_LOCK = 20120701  # the PostgreSQL advisory lock every writer of a store holds: one writer at a time
WRITTEN = "written"  # the meta key every write changes
ADJUSTMENT_LIMIT = 100  # points one manual adjustment may add or take (totals are out of 100)


class Store(RosterChanges, Warnings, Samples):
    """Open (creating or migrating) the store at `url`; `Store()` uses data/lianhu.sqlite."""

    def __init__(self, url: str | Path = DEFAULT_URL, who: str | None = None, create: bool = True):
        """create=False: a store that does not exist (a missing SQLite file, an empty database) is an error, not a
        new empty store. `who`: the person writing, on SQLite (else LIANHU_USER, else the system's user); on
        PostgreSQL the person is always the database login."""
        self.url = store_url(url)
        self.postgres = self.url.get_backend_name() == "postgresql"
        sqlite = self.url.get_backend_name() == "sqlite"
        if sqlite and (self.url.database in (None, "", ":memory:") or self.url.query or self.url.database.startswith("file:")):
            raise NotInStore("SQLite 数据库请给出文件路径（不带参数，不用内存数据库）/ give a SQLite store as a plain file path "
                             "(no parameters, no in-memory store)")
        file = self.url.database if sqlite else None
        if file and not create and not Path(file).exists():
            raise NotInStore(f"没有这个数据库：{file}（先用 lianhu validate 名册 --save 建立）/ no store at {file} "
                             f"(lianhu validate ROSTERS --save makes one)")
        if file and Path(file).exists() and not Path(file).is_file():
            raise NotInStore(f"{file} 不是工作台数据库（是文件夹或设备，或不是 SQLite 文件）/ {file} is not a workbench store "
                             f"(a folder or device, or not an SQLite file)")
        if file:
            _create_privately(Path(file))
        self.where = file or self.url.render_as_string()  # the password hidden
        try:
            self.engine = sa.create_engine(self.url, **({"connect_args": {"connect_timeout": 10,
                                                                          "application_name": "lianhu"}}
                                                        if self.postgres else {}))
            if sqlite:
                _sqlite_for_many_writers(self.engine)
            with self.engine.connect() as conn:
                self.who = conn.exec_driver_sql("SELECT session_user").scalar() if self.postgres else (
                    who or os.environ.get("LIANHU_USER") or getpass.getuser())
                self.owner = self.postgres and conn.exec_driver_sql(  # the database's owner: its administrator
                    "SELECT pg_has_role(session_user, datdba, 'MEMBER') FROM pg_database "
                    "WHERE datname = current_database()").scalar()
                version = migrations.stored_version(conn)
        except (sa.exc.NoSuchModuleError, ModuleNotFoundError) as exc:
            raise NotInStore(f"这种数据库用不了（缺少驱动 {getattr(exc, 'name', '') or self.url.drivername}，PostgreSQL 请安装 "
                             f"lianhu-tools[postgres]）/ this kind of store cannot be used here (no driver; for PostgreSQL "
                             f"install lianhu-tools[postgres]): {self.where}") from None
        except OperationalError as exc:
            raise NotInStore(f"连不上数据库 / cannot reach the store {self.where}: "
                             f"{masked(str(exc.orig).strip().splitlines()[0][:200])}") from None
        except sa.exc.DatabaseError as exc:  # SQLite read the file's header itself: "file is not a database"
            if self.postgres:  # e.g. no CONNECT on this database
                raise NotInStore(f"连不上数据库 / cannot reach the store {self.where}: "
                                 f"{masked(str(exc.orig).strip().splitlines()[0][:200])}") from None
            raise NotInStore(f"{file} 不是工作台数据库（不是 SQLite 文件）/ {file} is not a workbench store (not an SQLite "
                             f"file)") from None
        migrations.check_not_newer(version)
        if version is None and not create:
            raise NotInStore(f"{self.where} 里还没有工作台数据（先用 lianhu validate 名册 --save 建立）/ {self.where} holds no "
                             f"workbench store yet (lianhu validate ROSTERS --save makes one)")
        if version is None or version < migrations.SCHEMA_VERSION:
            try:
                with self.transaction() as conn:  # under the write lock: created or upgraded once
                    create_or_migrate(conn)
            except NotAllowed:
                raise NotAllowed(f"数据库是第 {version} 版，需要升级到第 {migrations.SCHEMA_VERSION} 版：请数据库的所有者先打开一次"
                                 f"（lianhu check --db ...）/ the store is at schema {version} and must be upgraded to "
                                 f"{migrations.SCHEMA_VERSION} by the database's owner first (lianhu check --db ...)") from None

    @contextmanager
    def transaction(self, writing: str | None = None, codes=()):
        """One writing transaction: all of it is written, or (on any error or crash) none of it. A second writer
        waits for the first (reads never wait): SQLite's BEGIN IMMEDIATE; on PostgreSQL, one advisory lock that
        every writer takes. After BUSY_SECONDS the wait ends with StoreBusy. `writing`: what it writes (roles.WRITES),
        refused (NotAllowed) outside the person's role, or outside their area for any of the division `codes`."""
        try:
            with self.engine.connect().execution_options(writing=True) as conn, conn.begin():
                if self.postgres:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(BUSY_SECONDS * 1000)}ms'")
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                if writing:
                    self._may(conn, writing, codes)
                yield conn
                if writing:  # what a reader (the dashboard) compares to tell the store was written since
                    mark = uuid.uuid4().hex
                    if not conn.execute(meta.update().where(meta.c.key == WRITTEN).values(value=mark)).rowcount:
                        conn.execute(meta.insert().values(key=WRITTEN, value=mark))
        except OperationalError as exc:
            if _busy(exc):
                raise StoreBusy(self.where, BUSY_SECONDS) from exc
            raise
        except sa.exc.IntegrityError as exc:
            raise StoreConflict(f"与库中已有的数据冲突，未写入（{_constraint(exc)}）/ conflicts with what is in the store; "
                                f"nothing was written ({_constraint(exc)})") from exc
        except sa.exc.ProgrammingError as exc:
            if getattr(exc.orig, "sqlstate", None) == "42501":  # insufficient privilege: the database refused
                raise NotAllowed(f"数据库拒绝了用户 {self.who} 的写入（权限不足）/ the database refused {self.who}'s write "
                                 f"(no privilege)") from exc
            raise

    def note(self, key: str, value: str) -> None:
        """Keep a fact about the store itself (e.g. origin = demo) in its meta table."""
        with self.transaction("meta") as conn:
            conn.execute(meta.delete().where(meta.c.key == key))
            conn.execute(meta.insert().values(key=key, value=value))

    def noted(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return migrations.stored_version(conn)

    # ------------------------------------------------------------ people

    def _may(self, conn, writing: str, codes=()) -> None:
        """Under the write lock: refuse (NotAllowed) a write outside the person's role, or outside their area for
        any of the division `codes`. A store with no users is one office's: its planner does everything; so does
        the owner of a PostgreSQL database."""
        people = {row.name: row for row in conn.execute(sa.select(users))}
        if not people or self.owner:
            return
        me = people.get(self.who)
        zh, en = WRITING[writing]
        if me is None or not me.active:
            act_as = "" if self.postgres else ("；在 SQLite 数据库上以某位用户的身份操作，请先设置 LIANHU_USER=用户名",
                                               "; on a SQLite store, act as one of its users with LIANHU_USER=name")
            raise NotAllowed(f"{self.who} 不是这个数据库的用户（或已停用），不能{zh}；请市级规划员用 lianhu users add 添加"
                             f"{act_as[0] if act_as else ''} / {self.who} is not a user of this store (or was deactivated) and "
                             f"may not {en}; a city planner adds people with lianhu users add{act_as[1] if act_as else ''}")
        if writing not in WRITES[me.role]:
            raise NotAllowed(f"{self.who}（{role_label(me.role)}）不能{zh} / {self.who} ({ROLES[me.role][1]}) may not {en}")
        outside = sorted({str(code) for code in codes if not str(code).startswith(me.area)})
        if outside:
            shown = "、".join(outside[:5]) + ("…" if len(outside) > 5 else "")
            raise NotAllowed(f"{self.who}（{role_label(me.role)}）只能{zh}本区域（{me.area}）的；{len(outside):,} 处不在其中：{shown} / "
                             f"{self.who} may {en} of area {me.area} only; {len(outside):,} places are outside it: {shown}")

    def users(self) -> pd.DataFrame:
        """The people who may write: name, role, area, active, when and by whom added."""
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(users).order_by(users.c.added_at), conn)

    def add_user(self, name: str, role: str, area: str = "", password: str | None = None) -> None:
        """Add a person (or change their role and area), audited. The first must be a city planner. On PostgreSQL
        the person is a database login: created with `password` if new, and given the role's privileges."""
        if role not in ROLES:
            raise NotAllowed(f"没有这个角色：{role}（可用：{'、'.join(f'{k} {v[0]}' for k, v in ROLES.items())}）/ no such role: "
                             f"{role} (one of {', '.join(ROLES)})")
        if not name or not str(name).strip() or (self.postgres and not POSTGRES_LOGIN.fullmatch(name)):
            raise NotAllowed(f"用户名只能用小写字母、数字和下划线（以字母开头）/ a user name is lower-case letters, digits and _ "
                             f"(a letter first): {name!r}")
        if RESERVED_LOGINS.match(str(name)):
            raise NotAllowed(f"{name!r} 是数据库保留的名称（lianhu_、pg_ 开头的角色组等），不能作为用户名 / {name!r} is a name the "
                             f"database keeps for itself (the store's groups lianhu_…, pg_…): not a person's")
        area = str(area or "").strip()
        if role == "county" and not (area.isascii() and area.isdigit()):
            raise NotAllowed("县区录入员须指定区域（县区代码，如 620502）/ a county office needs an area (its county's code, "
                             "e.g. 620502)")
        with self.transaction("users") as conn:
            before = conn.execute(sa.select(users).where(users.c.name == name)).first()
            if conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one() == 0 and role != "planner":
                raise NotAllowed("第一个用户须为市级规划员（planner）/ the first user must be a city planner")
            if role == "county":
                _check_county_area(conn, area)
            conn.execute(users.delete().where(users.c.name == name))
            conn.execute(users.insert().values(name=name, role=role, area=area, active=True, added_at=now(),
                                               added_by=self.who))
            if self.postgres:
                postgres_roles.grant(conn, name, role, password)
            self._audit(conn, "user", "users", name, json.dumps(before._asdict(), default=str) if before else None,
                        json.dumps({"role": role, "area": area}))

    def deactivate_user(self, name: str) -> None:
        with self.transaction("users") as conn:
            if not conn.execute(users.update().where(users.c.name == name).values(active=False)).rowcount:
                known = "、".join(conn.execute(sa.select(users.c.name).order_by(users.c.name)).scalars()) or "无 / none"
                raise NotAllowed(f"这个数据库没有用户 {name}（有：{known}）/ the store has no user {name} (it has: {known})")
            if self.postgres:
                postgres_roles.revoke(conn, name)
            self._audit(conn, "user", "users", name, None, json.dumps({"active": False}))

    # ------------------------------------------------------------ writing

    def _import(self, conn, kind: str, source: str, rows: int, digest: str | None = None) -> int:
        result = conn.execute(imports.insert().values(kind=kind, source=source, rows=rows, at=now(), who=self.who,
                                                      digest=digest))
        import_id = result.inserted_primary_key[0]
        self._audit(conn, "import", kind, str(import_id), None, json.dumps({"source": source, "rows": rows}, ensure_ascii=False))
        return import_id

    def _audit(self, conn, action: str, entity: str, entity_id: str | None, old, new) -> None:
        conn.execute(audit_log.insert().values(at=now(), who=self.who, action=action, entity=entity,
                                               entity_id=entity_id, old_value=old, new_value=new))

    def save_rosters(self, rosters, source: str = "") -> int:
        """A new snapshot of the four rosters; the earlier ones stay."""
        with self.transaction("rosters") as conn:
            return self._save_rosters(conn, rosters, source)

    def _first_rosters(self, conn, rosters, error) -> None:
        """Under the write lock: the rosters an import was checked against, saved as the store's first snapshot —
        unless another import saved one meanwhile: the same rosters are not saved twice, other ones are refused
        (`error`, an input error class), nothing written."""
        latest = conn.execute(sa.select(sa.func.max(imports.c.import_id)).where(imports.c.kind == "rosters")).scalar()
        if latest is None:
            self._save_rosters(conn, rosters)
        elif not rosters.same_as(self.rosters(latest, conn=conn)):
            raise error([Problem.about(
                "rosters_not_stored", "所给名册与库中最新名册不同（另一次导入刚刚存入了名册）：不给 --rosters 再导入一次",
                "these rosters differ from the store's latest snapshot (another import has just saved one): import again "
                "without --rosters", file=", ".join(rosters.files))])

    def _save_rosters(self, conn, rosters, source: str = "") -> int:
        self._may(conn, "rosters")  # also when a first import brings them
        import_id = self._import(conn, "rosters", source or ", ".join(rosters.files), sum(map(len, rosters.tables().values())))
        for name, frame in rosters.tables().items():
            _insert_frame(conn, roster_tables[name], frame.assign(import_id=import_id))
        return import_id

    def add_activities(self, records: pd.DataFrame, source: str, digest: str | None = None, rosters=None) -> int:
        """Validated activity records (see `archives`), with their period and village, in one transaction
        (with `rosters`, the snapshot they were checked against, when the store has none yet).
        Files, record numbers or records already in the store raise AlreadyImported, and nothing is added."""
        if "fingerprint" not in records:
            records = records.assign(fingerprint=fingerprints(records))
        with self.transaction("activities", records["village_code"]) as conn:
            clash = self._already_there(conn, records, source, digest)
            if clash is not None:
                raise clash
            if rosters is not None:
                self._first_rosters(conn, rosters, ArchiveError)
            import_id = self._import(conn, "activities", source, len(records), digest)
            _insert_frame(conn, activities, records.assign(import_id=import_id))
        return import_id

    def add_new_activities(self, records: pd.DataFrame, source: str, rosters=None) -> tuple[int | None, int]:
        """The records not yet in the store (by record number or content), in one transaction: the import's
        number (None when none was new) and how many were skipped."""
        if "fingerprint" not in records:
            records = records.assign(fingerprint=fingerprints(records))
        with self.transaction("activities", records["village_code"]) as conn:
            there = set(conn.execute(sa.select(activities.c.record_id).where(activities.c.record_id.is_not(None))).scalars())
            same = set(conn.execute(sa.select(activities.c.fingerprint).where(activities.c.fingerprint.is_not(None))).scalars())
            new = records[~(records["record_id"].isin(there) | records["fingerprint"].isin(same)).to_numpy()]
            if rosters is not None:
                self._first_rosters(conn, rosters, ArchiveError)
            if new.empty:
                return None, len(records)
            import_id = self._import(conn, "activities", source, len(new))
            _insert_frame(conn, activities, new.assign(import_id=import_id))
        return import_id, len(records) - len(new)

    def _already_there(self, conn, records: pd.DataFrame, source: str, digest: str | None) -> AlreadyImported | None:
        """Under the write lock: these files, record numbers or records already in the store?"""
        if digest is not None:
            earlier = conn.execute(sa.select(imports.c.source).where(imports.c.digest == digest)).scalars().first()
            if earlier is not None:
                return AlreadyImported.files(source, earlier)
        if conn.execute(sa.select(activities.c.id).limit(1)).first() is None:
            return None  # nothing stored yet
        for column, zh, en in (("record_id", "记录编号已导入过", "record numbers imported before"),
                               ("fingerprint", "与库中已有记录完全相同（日期、主体、对象、任务、类型、数量、天数）",
                                "records identical to ones in the store")):
            if column not in records:
                continue
            values = records[column].dropna().unique().tolist()
            found = [v for k in range(0, len(values), 5000) for v in conn.execute(
                sa.select(activities.c[column]).where(activities.c[column].in_(values[k:k + 5000]))).scalars()]
            if found:
                shown = f": {', '.join(map(str, found[:5]))}" if column == "record_id" else ""
                return AlreadyImported(source, f"{len(found):,} 条{zh}{shown}", f"{len(found):,} {en}{shown}")
        return None

    def save_pairings(self, pairs: pd.DataFrame | None, term_start: int, status: str = "confirmed",
                      links: pd.DataFrame | None = None) -> None:
        """Accept a proposal: its pairings and/or unit–village links become `status` for the 3-year term
        starting `term_start`. Only what the proposal touches changes: an open pairing of one of its
        cadres or households that it does not repeat ends (replaced); the rest of the city stays.
        One transaction, with history."""
        with self.transaction("pairings") as conn:
            for table, frame, keys in ((pairings, pairs, ("cadre_id", "household_id")),
                                       (links_table, links, ("unit_id", "village_code"))):
                if frame is not None:
                    self._replace(conn, table, frame, keys, term_start, status)

    def _replace(self, conn, table: sa.Table, frame: pd.DataFrame, keys: tuple[str, str], term_start: int,
                 status: str, reason: str = "") -> None:
        open_rows = pd.read_sql(sa.select(table.c.id, table.c.status, *[table.c[k] for k in keys])
                                .where(table.c.status != "ended"), conn)
        wanted = set(zip(frame[keys[0]], frame[keys[1]]))
        touched = open_rows[open_rows[keys[0]].isin(frame[keys[0]]) | open_rows[keys[1]].isin(frame[keys[1]])]
        kept = touched[np.array([pair in wanted for pair in zip(touched[keys[0]], touched[keys[1]])], dtype=bool)]
        self._move(conn, table, touched[~touched["id"].isin(kept["id"])], "ended",
                   f"新方案替代 / replaced by a new proposal{'：' + reason if reason else ''}")
        self._move(conn, table, kept[(kept["status"] != status) & (kept["status"] != "locked")], status,  # never unlocked
                   "采纳 / accepted")
        present = set(zip(kept[keys[0]], kept[keys[1]]))
        new = frame[np.array([pair not in present for pair in zip(frame[keys[0]], frame[keys[1]])], dtype=bool)]
        first = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
        _insert_frame(conn, table, new.assign(term_start=term_start, status=status, reason=new.get("reason")))
        added = conn.execute(sa.select(table.c.id).where(table.c.id > first)).scalars().all()
        if added:
            conn.execute(status_history.insert(), [{"entity": table.name, "entity_id": i, "at": now(), "old_status": None,
                                                    "new_status": status, "reason": "采纳 / accepted"} for i in added])
        self._audit(conn, "accept", table.name, None, None, json.dumps(
            {"added": len(added), "kept": len(kept), "ended": len(touched) - len(kept), "term_start": term_start}))

    def _move(self, conn, table: sa.Table, rows: pd.DataFrame, status: str, reason: str) -> None:
        if rows.empty:
            return
        ids = rows["id"].tolist()
        for k in range(0, len(ids), 5000):
            conn.execute(table.update().where(table.c.id.in_(ids[k:k + 5000])).values(status=status, reason=reason))
        conn.execute(status_history.insert(), [{"entity": table.name, "entity_id": i, "at": now(), "old_status": old,
                                                "new_status": status, "reason": reason}
                                               for i, old in zip(rows["id"], rows["status"])])

    def save_plans(self, frame: pd.DataFrame, term_start: int, source: str, rosters=None) -> int:
        """A new version of the plans of every subject and year in `frame` (checked by `plans.load_plans`);
        with `rosters`, the snapshot they were checked against, saved first (a store that has none yet)."""
        with self.transaction("plans", _plan_places(frame)) as conn:
            if rosters is not None:
                self._first_rosters(conn, rosters, PlanError)
            import_id = self._import(conn, "plans", source, len(frame))
            _insert_frame(conn, plans, frame.assign(import_id=import_id, term_start=term_start))
        return import_id

    def plans(self, history: bool = False, subject_kind: str | None = None) -> pd.DataFrame:
        """The current plans: for each subject and year, its latest version (a file with one year of a
        subject's plan revises that year only); every version with `history`; of one kind of subject only."""
        query = sa.select(plans) if subject_kind is None else sa.select(plans).where(plans.c.subject_kind == subject_kind)
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        if history or frame.empty:
            return frame
        latest = frame.groupby(["subject_kind", "subject_id", "year"])["import_id"].transform("max")
        return frame[frame["import_id"] == latest].reset_index(drop=True)

    def save_teams(self, schedule: pd.DataFrame) -> None:
        """Work-team assignments (period, unit_id, village_code, cadre_id); a period saved again is replaced."""
        with self.transaction("teams") as conn:
            self._save_teams(conn, schedule)

    def _save_teams(self, conn, schedule: pd.DataFrame) -> None:
        """The teams of each (period, unit) in `schedule` replace that unit's for that period; the rest stay."""
        periods = sorted(set(schedule["period"]))
        for period, unit in schedule[["period", "unit_id"]].drop_duplicates().itertuples(index=False):
            conn.execute(team_assignments.delete().where((team_assignments.c.period == period)
                                                         & (team_assignments.c.unit_id == unit)))
        _insert_frame(conn, team_assignments, schedule[["period", "unit_id", "village_code", "cadre_id"]])
        self._audit(conn, "save", "team_assignments", None, None, json.dumps(periods))

    def accept(self, term_start: int, status: str = "confirmed", pairs: pd.DataFrame | None = None,
               links: pd.DataFrame | None = None, teams: pd.DataFrame | None = None, reason: str = "") -> None:
        """Pairings, links and teams accepted together: one transaction, all or nothing. `reason`: why rows
        are replaced (kept in their history)."""
        with self.transaction("pairings") as conn:
            for table, frame, keys in ((pairings, pairs, ("cadre_id", "household_id")),
                                       (links_table, links, ("unit_id", "village_code"))):
                if frame is not None:
                    self._replace(conn, table, frame, keys, term_start, status, reason)
            if teams is not None:
                self._save_teams(conn, teams)

    def teams(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(team_assignments), conn)

    def set_status(self, entity: str, ids: list[int], status: str, reason: str) -> None:
        """Move pairings or links to a new status (e.g. ended: household left poverty), with history and audit."""
        if status not in STATUSES or not reason:
            raise ValueError(f"status must be one of {STATUSES}, with a reason")
        table = {"pairings": pairings, "links": links_table}[entity]
        with self.transaction("status") as conn:
            old = dict(conn.execute(sa.select(table.c.id, table.c.status).where(table.c.id.in_(ids))).all())
            conn.execute(table.update().where(table.c.id.in_(ids)).values(status=status, reason=reason))
            conn.execute(status_history.insert(), [{"entity": entity, "entity_id": i, "at": now(), "old_status": old[i],
                                                    "new_status": status, "reason": reason} for i in ids])
            self._audit(conn, "status", entity, ",".join(map(str, ids)), json.dumps(old), status)

    def adjust(self, assessment_id: int, subject_kind: str, subject_id: str, points: float, reason: str) -> None:
        """A manual adjustment of an assessment result (`check_adjustment`); audited."""
        check_adjustment(points, reason)
        with self.transaction("adjustments") as conn:
            before = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(adjustments.c.points), 0.0)).where(
                (adjustments.c.assessment_id == assessment_id) & (adjustments.c.subject_kind == subject_kind)
                & (adjustments.c.subject_id == subject_id))).scalar_one()
            check_adjustment(points, reason, float(before))  # under the write lock: two planners at once add up too
            conn.execute(adjustments.insert().values(assessment_id=assessment_id, subject_kind=subject_kind,
                                                     subject_id=subject_id, points=points, reason=reason, at=now(), who=self.who))
            self._audit(conn, "adjust", "assessment", f"{assessment_id}/{subject_kind}/{subject_id}", None,
                        json.dumps({"points": points, "reason": reason}, ensure_ascii=False))
            write_results(conn, assessment_id, _assessment(conn, assessment_id))  # ranks move with the adjustment

    def save_assessment(self, period: str, indicators: dict, frozen: dict, scores: pd.DataFrame) -> int:
        with self.transaction("assessments") as conn:
            assessment_id = conn.execute(assessments.insert().values(
                period=period, at=now(), who=self.who, indicators=json.dumps(indicators, ensure_ascii=False),
                frozen=json.dumps(frozen, ensure_ascii=False))).inserted_primary_key[0]
            _insert_frame(conn, assessment_scores, scores.assign(assessment_id=assessment_id))
            write_results(conn, assessment_id, {"indicators": indicators, "frozen": frozen, "scores": scores,
                                                "adjustments": pd.DataFrame(columns=["subject_kind", "subject_id", "points"])})
            self._audit(conn, "assess", "assessment", str(assessment_id), None, period)
        return assessment_id

    # ------------------------------------------------------------ reading

    def current(self, entity: str) -> pd.DataFrame:
        """Pairings or links not ended."""
        table = {"pairings": pairings, "links": links_table}[entity]
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(table).where(table.c.status != "ended"), conn)

    def ended_pairings(self) -> pd.DataFrame:
        """Pairings that ended: cadre_id, household_id, unit_id, reason, and the day they ended (ended_on)."""
        with self.engine.connect() as conn:
            ended = pd.read_sql(sa.select(pairings.c.id, pairings.c.cadre_id, pairings.c.household_id, pairings.c.unit_id,
                                          pairings.c.reason).where(pairings.c.status == "ended"), conn)
            when = pd.read_sql(sa.select(status_history.c.entity_id, sa.func.max(status_history.c.at).label("ended_on"))
                               .where((status_history.c.entity == "pairings") & (status_history.c.new_status == "ended"))
                               .group_by(status_history.c.entity_id), conn)
            approved = pd.read_sql(sa.select(roster_changes.c.kind, roster_changes.c.subject_id,
                                             sa.func.max(change_steps.c.done_on).label("done_on"))
                                   .join(change_steps, change_steps.c.change_id == roster_changes.c.id)
                                   .where(roster_changes.c.state == "approved")
                                   .group_by(roster_changes.c.kind, roster_changes.c.subject_id), conn)
        ended["ended_on"] = pd.to_datetime(ended["id"].map(when.set_index("entity_id")["ended_on"])).dt.normalize()
        for kinds, column in ((ENDS_PAIRINGS, "household_id"), (ENDS_CADRE_PAIRINGS, "cadre_id")):  # the day approved
            day = approved[approved["kind"].isin(kinds)].drop_duplicates("subject_id").set_index("subject_id")["done_on"]
            ended["ended_on"] = pd.to_datetime(ended[column].map(day)).fillna(ended["ended_on"])
        return ended.drop(columns="id")

    def cadre_names(self) -> pd.Series:
        """Every cadre's name by number, as the latest roster that listed them had it (those who left too)."""
        table = roster_tables["cadres"]
        with self.engine.connect() as conn:
            names = pd.read_sql(sa.select(table.c.cadre_id, table.c.name).order_by(table.c.import_id), conn)
        return names.drop_duplicates("cadre_id", keep="last").set_index("cadre_id")["name"]

    def pairings_of_departed(self, cadres: set[str], paired: set[str]) -> pd.DataFrame:
        """Of each household with no open pairing (not in `paired`), its latest pairing if that ended with a cadre no
        longer on the roster (`cadres`): cadre_id, household_id, unit_id — whose colleague should take over."""
        with self.engine.connect() as conn:
            ended = pd.read_sql(sa.select(pairings.c.id, pairings.c.cadre_id, pairings.c.household_id, pairings.c.unit_id)
                                .where(pairings.c.status == "ended").order_by(pairings.c.id), conn)
        latest = ended.drop_duplicates("household_id", keep="last")
        latest = latest[~latest["household_id"].isin(paired) & ~latest["cadre_id"].isin(cadres)]
        return latest[["cadre_id", "household_id", "unit_id"]].reset_index(drop=True)

    def assessment(self, assessment_id: int) -> dict:
        """A stored assessment: its period, indicators, frozen inputs, scores and adjustments."""
        with self.engine.connect() as conn:
            return _assessment(conn, assessment_id)

    def assessment_results(self, assessment_id: int, kinds: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
        """What `assessment.ranked` gave for a run, as kept with it: per kind of subject (all, or those of `kinds`),
        its name, unit, county, total, grade and ranks (no indicator points), best first."""
        query = sa.select(assessment_results).where(assessment_results.c.assessment_id == assessment_id)
        if kinds is not None:
            query = query.where(assessment_results.c.subject_kind.in_(kinds))
        with self.engine.connect() as conn:
            frame = pd.read_sql(query.order_by(assessment_results.c.rank_city, assessment_results.c.subject_id), conn)
        return {kind: rows[RESULT_COLUMNS].reset_index(drop=True) for kind, rows in frame.groupby("subject_kind", sort=False)}

    def assessments(self) -> pd.DataFrame:
        """Every assessment run: number, period, when and by whom (oldest first)."""
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(assessments.c.assessment_id, assessments.c.period, assessments.c.at,
                                         assessments.c.who).order_by(assessments.c.assessment_id), conn)

    def rosters(self, import_id: int | None = None, personal: bool = True, only: dict[str, list[str]] | None = None,
                conn=None):
        """The roster snapshot of an import (default: the latest), as validated `Rosters`; without `personal`,
        no household's ID number, phone or head's name (what a leader's login may read on PostgreSQL); with `only`,
        just the columns it names of the rosters it names (none: no rows either), all of the others. `conn`: read
        inside that transaction."""
        with self.engine.connect() if conn is None else nullcontext(conn) as conn:
            if import_id is None:
                import_id = conn.execute(sa.select(sa.func.max(imports.c.import_id))
                                         .where(imports.c.kind == "rosters")).scalar()
            if import_id is None:
                raise NotInStore("库中还没有名册：先运行 lianhu validate 名册文件夹 --save / "
                              "no rosters in the store yet: run lianhu validate ROSTERS --save")
            hidden = {"import_id"} | (set() if personal else set(HOUSEHOLD_PERSONAL_FIELDS))
            only = only or {}
            frames = {name: pd.read_sql(sa.select(*[c for c in table.c if c.name not in hidden
                                                    and c.name in (only.get(name) or table.c.keys())])
                                        .where(table.c.import_id == (import_id if only.get(name, True) else None)), conn)
                      for name, table in roster_tables.items()}
        return Rosters(**frames)

    def rosters_with_former(self) -> Rosters:
        """The latest rosters and, after their rows, the former ones of earlier rosters (as they last were): a cadre
        who left, a household removed, a village re-coded. What records dated before such a change are checked
        against; the paper trail flags a visit after the pairing ended."""
        latest = self.rosters()
        counted = sa.select(imports.c.import_id).where(imports.c.kind == "rosters")
        frames = {}
        with self.engine.connect() as conn:
            for name, table in roster_tables.items():
                key_name = SCHEMA_TABLES[name].primary_key
                key, now = table.c[key_name], getattr(latest, name)
                seen = pd.read_sql(sa.select(key, table.c.import_id).where(table.c.import_id.in_(counted)), conn)
                last = seen[~seen[key_name].isin(now[key_name])].groupby(key_name)["import_id"].max()
                former = pd.read_sql(sa.select(*[c for c in table.c]).where(key.in_(last.index.tolist()),
                                                                            table.c.import_id.in_(set(last.tolist()))), conn)
                former = former[former["import_id"].to_numpy() == former[key_name].map(last).to_numpy()]
                frames[name] = pd.concat([now, former.drop(columns="import_id").astype(now.dtypes.to_dict(), errors="ignore")],
                                         ignore_index=True)
        return Rosters(**frames, warnings=latest.warnings, files=latest.files)

    def latest_import(self, kind: str) -> int | None:
        """The number of the latest import of a kind (rosters, activities, plans…), None before the first."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.max(imports.c.import_id)).where(imports.c.kind == kind)).scalar()

    def activities(self, period: str | None = None, columns: list[str] | None = None) -> pd.DataFrame:
        """Activity records (all columns, or those named), of one period (2025H1), one year (2025) or all."""
        query = sa.select(*[activities.c[c] for c in columns]) if columns else sa.select(activities)
        if period:
            query = query.where(activities.c.period.in_(halves_of(period)))
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        if "date" in frame:
            frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def periods(self) -> list[str]:
        """The half-years that have activity records (2025H1, ...)."""
        with self.engine.connect() as conn:
            return sorted(conn.execute(sa.select(activities.c.period).distinct()).scalars())

    def imported(self, digest: str) -> str | None:
        """The source of an earlier import with these exact bytes, if any."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(imports.c.source).where(imports.c.digest == digest)).scalars().first()

    def import_number(self, import_id: int) -> int:
        """Which import of its kind this one is: the first diary import is 1, whatever came before it."""
        with self.engine.connect() as conn:
            kind = sa.select(imports.c.kind).where(imports.c.import_id == import_id).scalar_subquery()
            return conn.execute(sa.select(sa.func.count()).where(imports.c.kind == kind,
                                                                 imports.c.import_id <= import_id)).scalar_one()

    def count_rows(self, import_id: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(imports.c.rows).where(imports.c.import_id == import_id)).scalar_one()

    def fingerprints(self) -> set[int]:
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(activities.c.fingerprint).where(activities.c.fingerprint.is_not(None))).scalars())

    def record_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(activities.c.record_id).where(activities.c.record_id.is_not(None))).scalars())

    def count(self, table: sa.Table) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()

    def integrity_ok(self) -> bool:
        return not self.integrity_problems()

    def integrity_problems(self) -> list[str]:
        """What is wrong with the store, in words (empty: nothing): the engine's own check of every page and index
        (SQLite's integrity and foreign-key checks; on PostgreSQL amcheck where installed, else a full read of
        every table), then the store's rules — one record once, one open pairing per household, every record's
        import there, every assessment's results kept, the schema at this program's version."""
        with self.engine.connect() as conn:
            found = postgres_roles.engine_problems(conn) if self.postgres else [
                *[f"SQLite: {row[0]}" for row in conn.exec_driver_sql("PRAGMA integrity_check") if row[0] != "ok"],
                *[f"SQLite: {row[0]} 第 {row[1]} 行外键无效 / row {row[1]} of {row[0]} refers to nothing"
                  for row in conn.exec_driver_sql("PRAGMA foreign_key_check")]]
            checks = {
                "同一记录存了不止一次 / records stored more than once":
                    sa.select(activities.c.fingerprint).where(activities.c.fingerprint.is_not(None))
                    .group_by(activities.c.fingerprint).having(sa.func.count() > 1),
                "记录编号重复 / record numbers stored more than once":
                    sa.select(activities.c.record_id).where(activities.c.record_id.is_not(None))
                    .group_by(activities.c.record_id).having(sa.func.count() > 1),
                "一户有不止一名干部 / households with more than one open pairing":
                    sa.select(pairings.c.household_id).where(pairings.c.status != "ended")
                    .group_by(pairings.c.household_id).having(sa.func.count() > 1),
                "记录所属的导入不存在 / records whose import is missing":
                    sa.select(activities.c.id).where(~activities.c.import_id.in_(sa.select(imports.c.import_id))),
                "考核没有保存结果和排名 / assessments without their results kept":
                    sa.select(assessments.c.assessment_id).where(~assessments.c.assessment_id.in_(
                        sa.select(assessment_results.c.assessment_id))),
            }
            checks["导入的记录少于导入时的条数（记录被删除）/ imports with fewer records than they brought"] = (
                sa.select(imports.c.import_id).where(imports.c.kind == "activities").where(
                    imports.c.rows > sa.select(sa.func.count()).where(activities.c.import_id == imports.c.import_id)
                    .scalar_subquery()))
            for words, query in checks.items():
                count = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
                if count:
                    found.append(f"{words}: {count:,}")
            found += _missing_safeguards(conn)
            version = migrations.stored_version(conn)
        if version != migrations.SCHEMA_VERSION:
            found.append(f"数据库版本 {version}，应为 {migrations.SCHEMA_VERSION} / schema version {version}, "
                         f"not {migrations.SCHEMA_VERSION}")
        return found


SAFEGUARDS = {"activities": ({"fingerprint"}, {"record_id"}), "pairings": ({"household_id"},)}  # unique, by column


def _missing_safeguards(conn) -> list[str]:
    """The database's own refusals (one record once, one record number once, one open pairing per household) that
    are no longer there: a dropped unique index or constraint."""
    inspector = sa.inspect(conn)
    missing = []
    for table, wanted in SAFEGUARDS.items():
        unique = [set(i["column_names"]) for i in inspector.get_indexes(table) if i.get("unique")]
        unique += [set(c["column_names"]) for c in inspector.get_unique_constraints(table)]
        missing += [f"{table}: 唯一约束 {'、'.join(sorted(columns))} 不见了 / the unique rule on {', '.join(sorted(columns))} "
                    f"is gone" for columns in wanted if columns not in unique]
    return missing


def _assessment(conn, assessment_id: int) -> dict:
    row = conn.execute(sa.select(assessments).where(assessments.c.assessment_id == assessment_id)).one()
    scores = pd.read_sql(sa.select(assessment_scores).where(assessment_scores.c.assessment_id == assessment_id), conn)
    adjusted = pd.read_sql(sa.select(adjustments).where(adjustments.c.assessment_id == assessment_id), conn)
    return {"period": row.period, "at": row.at, "indicators": json.loads(row.indicators),
            "frozen": json.loads(row.frozen), "scores": scores, "adjustments": adjusted}


def write_results(conn, assessment_id: int, run: dict) -> None:
    """Keep what `assessment.ranked` makes of a run (replacing what was kept): what the dashboard reads."""
    conn.execute(assessment_results.delete().where(assessment_results.c.assessment_id == assessment_id))
    for kind, table in ranked(run).items():
        _insert_frame(conn, assessment_results, table.reindex(columns=RESULT_COLUMNS).assign(
            assessment_id=assessment_id, subject_kind=kind))


def store_url(url: str | Path) -> sa.engine.URL:
    """A store's URL: a plain path is a SQLite file; postgres:// and postgresql:// use psycopg 3, which also
    reads the password from ~/.pgpass (PGPASSFILE) or a service (?service=…) — not from the URL."""
    text = str(url)
    if "://" not in text:
        text = f"sqlite:///{text}"
    scheme, rest = text.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        text = f"postgresql+psycopg://{rest}"
    try:
        return sa.engine.make_url(text)
    except sa.exc.ArgumentError:
        raise NotInStore(f"不是数据库地址 / not a store URL: {masked(text)}") from None


def _plan_places(frame: pd.DataFrame) -> list[str]:
    """Where plans are, for an area's check: a village plan's village; a unit's or household's plan is the
    planner's (its subject is not a division code, so no county office's area holds it)."""
    return [str(code) if kind == VILLAGE else f"{kind} {code}" for kind, code in zip(frame["subject_kind"], frame["subject_id"])]


def _busy(exc: OperationalError) -> bool:
    """SQLite's "database is locked", or PostgreSQL's lock timeout (55P03)."""
    return getattr(exc.orig, "sqlstate", None) == "55P03" or "locked" in str(exc.orig) or "busy" in str(exc.orig)


def _constraint(exc: sa.exc.IntegrityError) -> str:
    """Which rule of the database a write broke, by its name (PostgreSQL) or words (SQLite)."""
    diagnostic = getattr(exc.orig, "diag", None)
    name = getattr(diagnostic, "constraint_name", None)
    return name or str(exc.orig).splitlines()[0][:120]


def check_adjustment(points: float, reason: str, before: float = 0.0) -> None:
    """An adjustment needs a reason and is a number of points, at least 0.1 either way; with the subject's
    adjustments `before`, its total stays within ±ADJUSTMENT_LIMIT."""
    if not str(reason or "").strip():
        raise AdjustmentError("人工调整须说明理由 / a manual adjustment needs a reason")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0.1 <= abs(points) <= ADJUSTMENT_LIMIT:
        raise AdjustmentError(f"人工调整须为 0.1 到 {ADJUSTMENT_LIMIT} 分（加或减），而不是 {points!r} / an adjustment must be "
                              f"between 0.1 and {ADJUSTMENT_LIMIT} points, up or down")
    if abs(before + points) > ADJUSTMENT_LIMIT:
        raise AdjustmentError(f"此前已调整 {before:+g} 分，再调 {points:+g} 分后合计超过 ±{ADJUSTMENT_LIMIT} 分 / with the "
                              f"{before:+g} points adjusted before, the total would pass ±{ADJUSTMENT_LIMIT}")


def fingerprints(records: pd.DataFrame) -> pd.Series:
    """One 64-bit number per record's content (signed, as databases store integers), the second and later of
    identical records in one file told apart by their count (`repeated`): the same file imported twice clashes
    whole, and a year's growing file brings only the records it added, repeats included."""
    content = {}
    for name in FINGERPRINTED:
        column = records[name] if name in records else pd.Series(None, index=records.index, dtype=object)
        if name == "date":
            column = pd.to_datetime(column).dt.normalize().astype("int64")  # NaT hashes as a fixed number too
        elif name in ("quantity", "days"):
            column = pd.to_numeric(column).astype(float).fillna(-1.0)
        else:
            column = column.astype(object).where(column.notna(), "").astype(str)
        content[name] = column.to_numpy()
    hashed = pd.util.hash_pandas_object(pd.DataFrame(content), index=False).to_numpy().view(np.int64)
    repeat = pd.Series(hashed).groupby(hashed).cumcount().to_numpy()
    return pd.Series(repeated(hashed, repeat), index=records.index, name="fingerprint")


def repeated(fingerprint: np.ndarray, repeat: np.ndarray) -> np.ndarray:
    """The fingerprint of the `repeat`-th copy of a record in one file (0: the first, its plain fingerprint)."""
    again = pd.util.hash_pandas_object(pd.DataFrame({"f": fingerprint, "k": repeat}), index=False).to_numpy().view(np.int64)
    return np.where(repeat == 0, fingerprint, again)


def _check_county_area(conn, area: str) -> None:
    """A county office's area is one of the counties of the latest rosters (any 6-digit code before the first)."""
    villages = roster_tables["villages"]
    latest = sa.select(sa.func.max(imports.c.import_id)).where(imports.c.kind == "rosters").scalar_subquery()
    counties = sorted(conn.execute(sa.select(villages.c.county_code).distinct()
                                   .where(villages.c.import_id == latest)).scalars())
    if (area not in counties) if counties else len(area) != 6:
        known = "、".join(counties[:12]) + ("…" if len(counties) > 12 else "") if counties else "6 位县区代码 / a 6-digit code"
        raise NotAllowed(f"县区录入员的区域 {area} 不是本市花名册中的县区（可用：{known}）/ {area} is not a county of the city's "
                         f"rosters (known: {known})")


def _create_privately(file: Path) -> None:
    """A new store file readable by its owner only (0600; SQLite gives its -wal and -shm the same), in folders
    made for it readable by the owner only (0700). It holds every household's ID number and phone."""
    missing = [folder for folder in (file.parent, *file.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    try:
        os.close(os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # an existing store keeps the permissions its owner gave it


def _sqlite_for_many_writers(engine) -> None:
    """WAL (readers never block the writer), a busy timeout, and BEGIN IMMEDIATE so that a second
    writer waits at the start of its transaction instead of failing half-way."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        writing = connection.get_execution_options().get("writing")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
