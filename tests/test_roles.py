"""People, roles and areas: a county office writes only its county's records, leaders and auditors never write,
and the audit log names the person — enforced by the store on SQLite, and by the database itself on PostgreSQL
(its logins, groups and row policies), past the store."""

import secrets

import pandas as pd
import pytest
import sqlalchemy as sa

from lianhu_tools.cli import main
from lianhu_tools.store import NotAllowed, NotInStore, Store, tables
from store_worker import pairs, records

OWN, OTHER = "620502101201", "620503101201"  # a village of the county office's county, and of another


def people(store_url, postgres=None) -> dict[str, Store]:
    """A planner, a county office of 620502 and a leader, each with their own Store as they would open it."""
    owner = Store(store_url, who="zhang")
    opened = {}
    for name, role, area in (("zhang", "planner", ""), ("gl_office", "county", "620502"), ("wang", "leader", "")):
        password = None
        if postgres is not None:
            password = secrets.token_urlsafe(12)
            postgres.remember(name, password)
        owner.add_user(name, role, area, password)
        url = store_url.replace("lianhu_admin@", f"{name}@") if postgres is not None else store_url
        opened[name] = Store(url, who=name)
    return opened


@pytest.fixture
def office(store_url, request):
    return people(store_url, request.getfixturevalue("postgres") if "://" in store_url else None)


def test_a_county_office_imports_its_own_county_only(office):
    county = office["gl_office"]
    county.add_activities(records(0, 10, village=OWN), source="own county")
    with pytest.raises(NotAllowed, match="只能导入工作记录本区域（620502）的；1 处不在其中：620503101201"):
        county.add_activities(records(100, 10, village=OTHER), source="next county")
    with pytest.raises(NotAllowed, match="不能采纳结对"):
        county.save_pairings(pairs("C", 3), 2025)
    log = pd.read_sql(sa.select(tables.audit_log), county.engine)
    assert log["who"].tolist()[-1] == "gl_office" and county.count(tables.activities) == 10


def test_leaders_read_and_never_write(office):
    leader = office["wang"]
    for write in (lambda: leader.add_activities(records(0, 1, village=OWN), source="x"),
                  lambda: leader.save_pairings(pairs("C", 1), 2025), lambda: leader.note("k", "v"),
                  lambda: leader.add_user("li", "planner")):
        with pytest.raises(NotAllowed, match="领导 / leader"):
            write()
    assert leader.current("pairings").empty  # reading is allowed


def test_someone_not_in_the_users_table_cannot_write(tmp_path):
    """On SQLite (on PostgreSQL a stranger has no login at all)."""
    url = str(tmp_path / "lianhu.sqlite")
    people(url)
    with pytest.raises(NotAllowed, match="不是这个数据库的用户"):
        Store(url, who="stranger").add_activities(records(0, 1, village=OWN), source="x")


def test_the_first_user_must_be_a_city_planner(store_url):
    with pytest.raises(NotAllowed, match="第一个用户须为市级规划员"):
        Store(store_url).add_user("gl_office", "county", "620502", "pw-unused")
    with pytest.raises(NotAllowed, match="区域"):
        Store(store_url).add_user("x", "county", "")


def test_on_postgres_the_database_itself_refuses_past_the_store(postgres):
    url = postgres.new_database()
    office = people(url, postgres)
    county, leader = office["gl_office"], office["wang"]
    with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), county.engine.begin() as conn:
        conn.execute(tables.activities.insert().values(import_id=None, period="2025H1", village_code=OTHER))
    with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), county.engine.begin() as conn:
        conn.execute(tables.audit_log.insert().values(at=sa.func.now(), who="zhang", action="x", entity="y"))
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), county.engine.begin() as conn:
        conn.execute(tables.pairings.delete())
    with leader.engine.connect() as conn:
        conn.execute(sa.select(tables.roster_tables["households"].c.village_code)).all()  # the leader reads places
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.select(tables.roster_tables["households"].c.id_number)).all()  # not ID numbers
    assert leader.who == "wang" and county.who == "gl_office"  # the login, whatever `who` the program says


def test_users_are_added_from_the_command_line_without_the_password_shown(postgres, capsys, monkeypatch):
    import io

    url = postgres.new_database()
    password = "a-Long-secret-9"
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    assert main(["users", "add", "zhang", "--role", "planner", "--password-stdin", "--db", url]) == 0
    assert main(["users", "list", "--db", url]) == 0
    out = capsys.readouterr()
    assert password not in out.out + out.err and "市级规划员" in out.out
    postgres.remember("zhang", password)
    assert Store(url.replace("lianhu_admin@", "zhang@")).who == "zhang"  # the login works with that password
    assert main(["check", "--db", url]) == 0 and "完好" in capsys.readouterr().out


def test_a_leaders_own_login_opens_the_dashboard_on_postgres(postgres, tmp_path):
    """The dashboard reads no household's ID number, phone or head's name, which a leader's login may not read."""
    from conftest import write_csv_rosters
    from lianhu_tools.figures.dashboard import DashboardData
    from lianhu_tools.rosters import load_rosters

    url = postgres.new_database()
    office = people(url, postgres)
    office["zhang"].save_rosters(load_rosters(write_csv_rosters(tmp_path / "rosters")))
    board = DashboardData(office["wang"])
    assert board.villages["households"].sum() == len(office["zhang"].rosters().households) > 0  # counted, not read
    assert board.view("", 6, None).headline


def test_on_postgres_a_county_login_cannot_replace_the_rosters_nor_approve_a_change(postgres):
    url = postgres.new_database()
    county = people(url, postgres)["gl_office"]
    with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), county.engine.begin() as conn:
        conn.execute(tables.imports.insert().values(kind="rosters", source="x", rows=0, at=sa.func.now(), who="gl_office"))
    with county.engine.begin() as conn:  # its own county's diaries and plans it may record
        conn.execute(tables.imports.insert().values(kind="activities", source="x", rows=0, at=sa.func.now(), who="gl_office"))
    owner = Store(url, who="zhang")
    with owner.engine.begin() as conn:
        base = conn.execute(sa.select(sa.func.min(tables.imports.c.import_id))).scalar()
        conn.execute(tables.roster_changes.insert().values(received=base, base=base, kind="household_exit",
                                                          subject_kind="households", subject_id="H1", county_code="620502",
                                                          state="open", at=sa.func.now()))
    with county.engine.begin() as conn:  # a step of its own county's change: yes; deciding its fate: no
        assert conn.execute(tables.roster_changes.update().values(step="核查")).rowcount == 1
    with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), county.engine.begin() as conn:
        conn.execute(tables.roster_changes.update().values(state="approved"))


def test_a_county_offices_area_is_one_of_the_rosters_counties(store_url, tmp_path):
    from conftest import write_csv_rosters
    from lianhu_tools.rosters import load_rosters

    owner = Store(store_url, who="zhang")
    owner.add_user("zhang", "planner", "", "a-Long-secret-9")
    with pytest.raises(NotAllowed, match="区域"):
        owner.add_user("gl_office", "county", "62050", "b-Long-secret-8")  # before the rosters: any 6-digit code
    owner.save_rosters(load_rosters(write_csv_rosters(tmp_path / "rosters")))
    with pytest.raises(NotAllowed, match="不是本市花名册中的县区（可用：620502") as refused:
        owner.add_user("gl_office", "county", "620599", "b-Long-secret-8")
    assert "is not a county of the city's rosters" in str(refused.value)
    owner.add_user("gl_office", "county", "620502", "b-Long-secret-8")
    assert owner.users().set_index("name").loc["gl_office", "area"] == "620502"


def test_on_postgres_the_people_of_one_store_cannot_connect_to_another_on_the_server(postgres):
    """The groups are the server's; CONNECT keeps each store's people to their own database."""
    first, second = postgres.new_database(), postgres.new_database()
    people(first, postgres)
    Store(second, who="li").add_user("li", "planner", "", "c-Long-secret-7")
    as_zhang = second.replace("lianhu_admin@", "zhang@")
    with pytest.raises(NotInStore, match="permission denied for database"):
        Store(as_zhang)
    out = Store(second).integrity_problems()
    assert not any("任何登录名" in line for line in out), out
    Store(first, who="zhang").deactivate_user("gl_office")  # the owner's login manages the logins
    with pytest.raises(NotInStore, match="permission denied for database"):
        Store(first.replace("lianhu_admin@", "gl_office@"))


def test_on_postgres_a_login_is_the_person_of_one_store_only(postgres):
    """The role groups are the server's: one store's leader made another's planner would be a planner in both."""
    first, second = postgres.new_database(), postgres.new_database()
    people(first, postgres)  # wang is first's leader
    owner = Store(second)
    owner.add_user("li", "planner", "", "c-Long-secret-7")
    with pytest.raises(NotAllowed, match="另一个工作台数据库") as refused:
        owner.add_user("wang", "planner", "", "Wang-NEW-pass-99")
    assert "has another role in another store on this server" in str(refused.value)
    owner.add_user("zhang", "planner", "")  # the same role in both: one login for both stores
    owner.deactivate_user("zhang")  # out of second, still in first's group
    assert Store(first.replace("lianhu_admin@", "zhang@")).who == "zhang"
    with pytest.raises(NotInStore, match="permission denied for database"):
        Store(second.replace("lianhu_admin@", "zhang@"))
    with pytest.raises(NotAllowed, match="没有用户 gl_office") as refused:  # first's county office, not second's
        owner.deactivate_user("gl_office")
    assert "li" in str(refused.value)
    assert Store(first.replace("lianhu_admin@", "zhang@")).who == "zhang"  # untouched in their own store


def test_a_new_password_for_a_login_is_set(postgres):
    url = postgres.new_database()
    owner = Store(url)
    owner.add_user("zhang", "planner", "", "a-Long-secret-9")
    owner.add_user("qian", "auditor", "", "Old-Secret-123")
    owner.add_user("qian", "auditor", "", "New-Secret-456")
    from lianhu_tools.hub.store_logins import person

    assert person(url, "qian", "New-Secret-456") is not None and person(url, "qian", "Old-Secret-123") is None


def test_deactivating_someone_the_store_does_not_have_says_so(store_url, capsys, monkeypatch):
    Store(store_url).add_user("zhang", "planner", "", "a-Long-secret-9")
    monkeypatch.setenv("LIANHU_USER", "zhang")
    assert main(["users", "remove", "nobody_here", "--db", store_url]) != 0
    said = capsys.readouterr().err
    assert "没有用户 nobody_here" in said and "Traceback" not in said and "REVOKE" not in said


@pytest.mark.parametrize("name", ["lianhu_leader", "pg_monitor", "public", "LiMing"])
def test_a_person_is_never_named_as_the_databases_own_roles(postgres, name, capsys, monkeypatch):
    import io

    url = postgres.new_database()
    Store(url).add_user("zhang", "planner", "", "a-Long-secret-9")
    monkeypatch.setattr("sys.stdin", io.StringIO("another-Secret-7\n"))
    assert main(["users", "add", name, "--role", "leader", "--password-stdin", "--db", url]) == 1
    said = capsys.readouterr().err
    assert "保留的名称" in said or "小写字母" in said
    assert "SCRAM" not in said


def test_a_new_login_without_a_terminal_is_told_to_use_password_stdin(postgres, capsys, monkeypatch):
    import io

    url = postgres.new_database()
    Store(url).add_user("zhang", "planner", "", "a-Long-secret-9")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["users", "add", "li", "--role", "leader", "--db", url]) == 2
    assert "--password-stdin" in capsys.readouterr().err


def test_passwords_are_masked_in_every_form():
    from lianhu_tools.errors import masked

    said = masked("postgresql://me:Secret1@h/c postgresql://me@h/c?password=Secret2&sslmode=x "
                  "host=h&password=Secret3 CREATE ROLE \"x\" LOGIN PASSWORD 'SCRAM-SHA-256$4096:abc$def:ghi'")
    assert not any(secret in said for secret in ("Secret1", "Secret2", "Secret3", "SCRAM-SHA-256"))
    assert "?password=***&sslmode=x" in said
