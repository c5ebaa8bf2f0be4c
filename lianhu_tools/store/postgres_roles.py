"""On PostgreSQL the roles of `roles.py` rest on the database's own: a group per role (lianhu_planner …) with its
privileges on the store's tables; row-level security keeping a county office's records and plans inside its area
and making every import's and audit line's "who" the login itself; each person a login in their role's group.
The store checks first and explains (`Store._may`); these make the database refuse what gets past it."""

from __future__ import annotations

from ..errors import NotAllowed
from ..roles import ROLES
from ..schema import HOUSEHOLD_PERSONAL_FIELDS, VILLAGE
from .tables import metadata

GROUPS = {role: f"lianhu_{role}" for role in ROLES}
PERSONAL = {"roster_households": set(HOUSEHOLD_PERSONAL_FIELDS)}  # columns a leader's login cannot read
AREA = "(SELECT area FROM users WHERE name = session_user AND active)"

WHO = "who = session_user"
POLICIES = {  # table: {policy: (command, roles, USING, WITH CHECK)}; every role of the store reads every row
    "activities": {"planner_writes": ("ALL", ["planner"], "true", "true"),
                   "county_own_area": ("INSERT", ["county"], None, f"starts_with(village_code, {AREA})")},
    "plans": {"planner_writes": ("ALL", ["planner"], "true", "true"),
              "county_own_area": ("INSERT", ["county"], None, f"subject_kind = '{VILLAGE}' AND starts_with(subject_id, {AREA})")},
    "imports": {"who_is_the_login": ("INSERT", ["planner"], None, WHO),  # a county office's: its records and plans only
                "county_records_and_plans": ("INSERT", ["county"], None, f"{WHO} AND kind IN ('activities', 'plans')")},
    "meta": {"planner_writes": ("ALL", ["planner"], "true", "true"),  # a county office's write changes `written` only
             "county_marks_written": ("UPDATE", ["county"], "key = 'written'", "key = 'written'")},
    "audit_log": {"who_is_the_login": ("INSERT", ["planner", "county"], None, WHO)},
    "roster_changes": {"planner_writes": ("ALL", ["planner"], "true", "true"),  # a county office passes its own's steps
                       "county_own_area": ("UPDATE", ["county"], f"starts_with(county_code, {AREA}) AND state = 'open'",
                                           f"starts_with(county_code, {AREA}) AND state = 'open'")},  # approves none
    "change_steps": {"who_is_the_login": ("INSERT", ["planner", "county"], None, WHO)},
}


def set_up(conn) -> None:
    """The groups, their privileges and the row policies, on every table the store has now (run again after an
    upgrade adds tables); needs the store's owner."""
    for group in GROUPS.values():
        conn.exec_driver_sql(f"DO $$ BEGIN CREATE ROLE {group} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    names = [t for t in metadata.tables if conn.dialect.has_table(conn, t)] + ["alembic_version"]
    every, group = ", ".join(names), GROUPS
    conn.exec_driver_sql(f"REVOKE ALL ON {every} FROM {', '.join(group.values())}")
    conn.exec_driver_sql(f"GRANT SELECT ON {every} TO {group['planner']}, {group['county']}, {group['auditor']}")
    conn.exec_driver_sql(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(n for n in names if n not in ('audit_log', 'alembic_version'))}"
                         f" TO {group['planner']}")
    conn.exec_driver_sql(f"GRANT INSERT ON audit_log TO {group['planner']}")
    conn.exec_driver_sql(f"GRANT INSERT ON activities, imports, audit_log, plans TO {group['county']}")
    conn.exec_driver_sql(f"GRANT UPDATE (value) ON meta TO {group['county']}")
    conn.exec_driver_sql(f"GRANT UPDATE (state, step) ON roster_changes TO {group['county']}")
    conn.exec_driver_sql(f"GRANT INSERT ON change_steps TO {group['county']}")
    for name in names:
        if name in PERSONAL:
            public = [c.name for c in metadata.tables[name].c if c.name not in PERSONAL[name]]
            conn.exec_driver_sql(f"GRANT SELECT ({', '.join(public)}) ON {name} TO {group['leader']}")
        elif name != "audit_log":
            conn.exec_driver_sql(f"GRANT SELECT ON {name} TO {group['leader']}")
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {group['planner']}, {group['county']}")
    for table, policies in POLICIES.items():
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for policy, (command, roles, using, check) in {"everyone_reads": ("SELECT", list(GROUPS), "true", None),
                                                       **policies}.items():
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS {policy} ON {table}")
            conn.exec_driver_sql(f"CREATE POLICY {policy} ON {table} FOR {command} TO {', '.join(GROUPS[r] for r in roles)}"
                                 + (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else ""))
    _connect_for_its_people_only(conn)


def _connect_for_its_people_only(conn) -> None:
    """The groups are the server's, shared by every store on it: CONNECT, not the groups, keeps one store's people
    out of another's database. Only the store's active users (and its owner) may connect to it."""
    database = _quoted(conn, _database(conn))
    conn.exec_driver_sql(f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC")
    if conn.dialect.has_table(conn, "users"):
        for name in conn.exec_driver_sql("SELECT name FROM users WHERE active AND name IN (SELECT rolname FROM pg_roles)"
                                         ).scalars():
            conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {database} TO {_quoted(conn, name)}")


def _database(conn) -> str:
    return conn.exec_driver_sql("SELECT current_database()").scalar()


def _quoted(conn, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def grant(conn, name: str, role: str, password: str | None) -> None:
    """The login `name` in the group of `role` (and no other of the store's groups), created if new, its password
    set if given. The groups are the server's: a login that other stores on the server let in keeps one role
    across them (another would carry over to those stores), so a different one is refused."""
    import psycopg.sql as sql  # the postgres extra

    set_up(conn)
    exists = conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).first() is not None
    held = _groups_of(conn, name) - {GROUPS[role]}
    others = _other_stores_of(conn, name)
    if exists and held and others:
        shown = "、".join(others[:5])
        raise NotAllowed(f"登录名 {name} 在本服务器的另一个工作台数据库（{shown}）中是另一种角色；角色组是整个服务器共用的，请为此人另起一个"
                         f"登录名 / the login {name} has another role in another store on this server ({shown}); the role "
                         f"groups are the server's: give this person another login name")
    if not exists and not password:
        raise NotAllowed(f"数据库里还没有登录名 {name}：请给出密码（lianhu users add 会询问）/ the database has no login "
                         f"{name} yet: give a password (lianhu users add asks for one)")
    if password:
        raw = conn.connection.dbapi_connection
        verifier = raw.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()
        conn.exec_driver_sql(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}" if exists else "CREATE ROLE {} LOGIN PASSWORD {}")
                             .format(sql.Identifier(name), sql.Literal(verifier)).as_string(raw))  # only the verifier sent
    for group in held:
        conn.exec_driver_sql(f"REVOKE {group} FROM {name}")
    conn.exec_driver_sql(f"GRANT {GROUPS[role]} TO {name}")
    conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {_quoted(conn, _database(conn))} TO {name}")


def revoke(conn, name: str) -> None:
    """The login `name` no longer let into this store's database, and out of the store's groups unless another
    store on the server still lets it in."""
    conn.exec_driver_sql(f"REVOKE CONNECT ON DATABASE {_quoted(conn, _database(conn))} FROM {_quoted(conn, name)}")
    if not _other_stores_of(conn, name):
        for group in _groups_of(conn, name):
            conn.exec_driver_sql(f"REVOKE {group} FROM {_quoted(conn, name)}")


def _groups_of(conn, name: str) -> set[str]:
    return set(conn.exec_driver_sql(
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
        "WHERE u.rolname = %s AND g.rolname = ANY(%s)", (name, list(GROUPS.values()))).scalars())


def _other_stores_of(conn, name: str) -> list[str]:
    """The other databases on the server that grant `name` CONNECT themselves (stores let in only their people)."""
    return list(conn.exec_driver_sql(
        "SELECT d.datname FROM pg_database d, aclexplode(d.datacl) a JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE r.rolname = %s AND a.privilege_type = 'CONNECT' AND d.datname <> current_database() ORDER BY 1",
        (name,)).scalars())


def engine_problems(conn) -> list[str]:
    """PostgreSQL's own check of the store: amcheck on every index where that extension is installed, else a
    full read of every table; each in a savepoint, so one failure does not hide the rest."""
    amcheck = conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'").first() is not None
    names = [t for t in metadata.tables if conn.dialect.has_table(conn, t)]
    if amcheck:
        targets = conn.exec_driver_sql(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND t.relname = ANY(%s)", (names,)).scalars().all()
        query = "SELECT bt_index_check('{}'::regclass, true)"
    else:
        targets, query = names, "SELECT count(*) FROM (SELECT * FROM {}) AS every_row"
    found = []
    if conn.dialect.has_table(conn, "users") and conn.exec_driver_sql("SELECT count(*) FROM users").scalar() and \
            conn.exec_driver_sql("SELECT has_database_privilege('public', current_database(), 'CONNECT')").scalar():
        found.append("PostgreSQL: 服务器上的任何登录名都能连接这个数据库：请数据库的所有者重新添加任一用户（lianhu users add）以收紧 / "
                     "any login of the server may connect to this store: its owner re-adding any user (lianhu users add) "
                     "closes it")
    for target in targets:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(query.format(target)).all()
        except Exception as exc:  # noqa: BLE001 — whatever the engine says is the finding
            if getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501":  # this login may not read it: not damage
                found.append(f"PostgreSQL: {target}: 此登录名无权读取，未检查（不是损坏）/ this login may not read it: not "
                             f"checked (not damage)")
                continue
            found.append(f"PostgreSQL: {target}: {str(getattr(exc, 'orig', exc)).splitlines()[0][:200]}")
    return found
