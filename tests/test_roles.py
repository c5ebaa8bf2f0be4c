"""People, roles and areas: a county office writes only its county's records, leaders and auditors never write,
and the audit log names the person — enforced by the store on SQLite, and by the database itself on PostgreSQL
(its logins, groups and row policies), past the store."""

import secrets

import pandas as pd
import pytest
import sqlalchemy as sa

from lianhu_tools.cli import main
from lianhu_tools.store import NotAllowed, Store, tables
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
