"""`lianhu accept`: a careless pairs, links or teams file is refused with every problem, and the store is left
exactly as it was; a good one lands in one transaction."""

import pandas as pd
import pytest
import sqlalchemy as sa

from lianhu_tools.cli import main
from lianhu_tools.pairing.output import read_pairs, write_tables
from lianhu_tools.store import Store, tables


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("accept")
    rosters, db = folder / "rosters", folder / "s.sqlite"
    for args in (["demo-data", "--size", "tiny", "--out", rosters], ["validate", rosters, "--save", "--db", db],
                 ["match", "villages", "--rosters", rosters, "--out", folder / "联村.xlsx"],
                 ["match", "households", "--rosters", rosters, "--links", folder / "联村.xlsx", "--out", folder / "联户.xlsx"],
                 ["rotate", "--rosters", rosters, "--links", folder / "联村.xlsx", "--from", "2025H1", "--periods", "2",
                  "--out", folder / "轮换.xlsx"]):
        assert main([str(a) for a in args]) == 0
    return folder


def snapshot(db) -> dict:
    engine = Store(db, create=False).engine
    return {t.name: pd.read_sql(sa.select(t), engine) for t in (tables.pairings, tables.links_table,
                                                                 tables.team_assignments, tables.status_history)}


def careless(city, kind: str, change) -> str:
    source = {"pairs": "联户.xlsx", "links": "联村.xlsx", "teams": "轮换.xlsx"}[kind]
    columns = {"pairs": ("cadre_id", "household_id"), "links": ("unit_id", "village_code"),
               "teams": ("period", "unit_id", "village_code", "cadre_id")}[kind]
    frame = read_pairs(city / source, columns)
    path = city / f"careless_{kind}.csv"
    write_tables({"表": change(frame.copy())}, path, lang="en")
    return str(path)


def set_cell(column, value, row=0):
    def change(frame):
        frame.loc[frame.index[row], column] = value
        return frame
    return change


def repeat_first(frame):
    return pd.concat([frame, frame.iloc[[0]].assign(cadre_id=frame["cadre_id"].iloc[-1])], ignore_index=True)


def one_cadre_takes_all(frame):
    return frame.assign(cadre_id=frame["cadre_id"].iloc[0])


CASES = [
    pytest.param("pairs", set_cell("cadre_id", "GB99999999"), "orphan_reference", id="unknown cadre"),
    pytest.param("pairs", set_cell("household_id", "nope"), "orphan_reference", id="unknown household"),
    pytest.param("pairs", set_cell("cadre_id", ""), "required_value_missing", id="blank cadre id"),
    pytest.param("pairs", set_cell("cadre_id", "=HYPERLINK(\"x\")"), "orphan_reference", id="a formula for a cadre"),
    pytest.param("pairs", repeat_first, "duplicate_key", id="one household, two cadres"),
    pytest.param("pairs", one_cadre_takes_all, "out_of_range", id="one cadre over the quota"),
    pytest.param("pairs", set_cell("pool", "vip"), "value_not_allowed", id="an unknown pool"),
    pytest.param("links", set_cell("village_code", "999999999999"), "orphan_reference", id="unknown village"),
    pytest.param("links", lambda f: f.assign(village_code=f["village_code"].iloc[0]), "duplicate_key", id="one village, many units"),
    pytest.param("teams", set_cell("period", "xyz"), "value_not_allowed", id="team period xyz"),
    pytest.param("teams", set_cell("cadre_id", "GB99999999"), "orphan_reference", id="unknown team member"),
]


@pytest.mark.parametrize("kind, change, code", CASES)
def test_a_careless_file_is_refused_and_the_store_is_untouched(city, capsys, kind, change, code):
    db = city / "s.sqlite"
    before = snapshot(db)
    path = careless(city, kind, change)
    assert main(["accept", f"--{kind}", path, "--term-start", "2025", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert code in err and "Traceback" not in err
    after = snapshot(db)
    assert all(after[name].equals(before[name]) for name in before)


@pytest.mark.parametrize("term", ["-5", "99999"])
def test_an_impossible_term_is_refused(city, capsys, term):
    db = city / "s.sqlite"
    before = snapshot(db)
    assert main(["accept", "--pairs", str(city / "联户.xlsx"), "--term-start", term, "--db", str(db)]) == 1
    assert "out_of_range" in capsys.readouterr().err
    assert snapshot(db)["pairings"].equals(before["pairings"])


def test_a_pairs_file_given_as_links_is_refused(city, capsys):
    assert main(["accept", "--links", str(city / "联户.xlsx"), "--term-start", "2025", "--db", str(city / "s.sqlite")]) == 1
    assert "cadre–household pairing table" in capsys.readouterr().err


def test_the_proposal_lands_whole(city):
    db = city / "s.sqlite"
    assert main(["accept", "--pairs", str(city / "联户.xlsx"), "--links", str(city / "联村.xlsx"), "--teams",
                 str(city / "轮换.xlsx"), "--term-start", "2025", "--db", str(db)]) == 0
    store = Store(db)
    assert len(store.current("pairings")) == len(read_pairs(city / "联户.xlsx", ("cadre_id", "household_id")))
    assert store.current("pairings")["pool"].isin(["party", "poor"]).all() and len(store.teams())
