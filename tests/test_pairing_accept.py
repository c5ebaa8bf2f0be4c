"""`lianhu accept`: a careless pairs, links or teams file is refused with every problem, and the store is left
exactly as it was; a good one lands in one transaction."""

from pathlib import Path

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
    frame.attrs["city"] = str(city)
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


def copy_of(db, to):
    """A copy of a store (its WAL included)."""
    import sqlite3

    with sqlite3.connect(db) as source, sqlite3.connect(to) as target:
        source.backup(target)
    return to


def rosters_of(city):
    return Store(city / "s.sqlite", create=False).rosters()


def household_outside_the_units_villages(frame):
    """The first pair's household swapped for a household of a village its cadre's unit does not link."""
    from lianhu_tools.pairing.households import pooled_households
    from lianhu_tools.policy import default_policy

    city = Path(frame.attrs["city"])
    rosters, links = rosters_of(city), read_pairs(city / "联村.xlsx", ("unit_id", "village_code"))
    unit = rosters.cadres.set_index("cadre_id").at[frame["cadre_id"].iloc[0], "unit_id"]
    mine = set(links.loc[links["unit_id"] == unit, "village_code"])
    households = pooled_households(rosters, default_policy())
    elsewhere = households[~households["village_code"].isin(mine) & (households["pool"] == frame["pool"].iloc[0])]
    frame.loc[frame.index[0], "household_id"] = elsewhere["household_id"].iloc[0]
    return frame


def household_in_no_pool(frame):
    from lianhu_tools.pairing.households import pooled_households
    from lianhu_tools.policy import default_policy

    households = pooled_households(rosters_of(Path(frame.attrs["city"])), default_policy())
    frame.loc[frame.index[0], "household_id"] = households.loc[households["pool"] == "", "household_id"].iloc[0]
    return frame.drop(columns=["pool"])


def poor_as_party(frame):
    return frame.assign(pool=frame["pool"].replace({"poor": "party"}))


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
    pytest.param("pairs", household_in_no_pool, "value_not_allowed", id="neither poor nor a party household"),
    pytest.param("pairs", poor_as_party, "value_not_allowed", id="a poor household in the party pool"),
    pytest.param("teams", set_cell("period", "2031H1"), "out_of_range", id="a team after the term"),
    pytest.param("teams", set_cell("period", "2001H1"), "out_of_range", id="a team before the term"),
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


def test_locked_pairings_stay_unless_a_reason_is_given(city, tmp_path, capsys):
    db = copy_of(city / "s.sqlite", tmp_path / "s.sqlite")
    pairs = str(city / "联户.xlsx")
    assert main(["accept", "--pairs", pairs, "--links", str(city / "联村.xlsx"), "--term-start", "2025", "--status", "locked",
                 "--db", str(db)]) == 0
    assert main(["accept", "--pairs", pairs, "--term-start", "2025", "--db", str(db)]) == 0  # confirmed: stays locked
    assert set(Store(db).current("pairings")["status"]) == {"locked"}
    assert main(["accept", "--pairs", pairs, "--term-start", "2026", "--db", str(db)]) == 1  # another term
    assert "2025" in capsys.readouterr().err
    frame = read_pairs(pairs, ("cadre_id", "household_id"))
    taken = frame.iloc[[0]].assign(cadre_id=frame["cadre_id"].iloc[1])  # another cadre for a locked household
    one = tmp_path / "one.csv"
    write_tables({"表": taken}, one, lang="en")
    before = snapshot(db)
    assert main(["accept", "--pairs", str(one), "--term-start", "2025", "--db", str(db)]) == 1
    assert "locked" in capsys.readouterr().err and snapshot(db)["pairings"].equals(before["pairings"])


def test_links_and_teams_keep_the_optimisers_rules(rosters):
    """A county unit's village in another county, a link beyond the limit, a retired member, a team too big."""
    from dataclasses import replace

    from lianhu_tools.pairing.accept import check_accepted
    from lianhu_tools.policy import load_policy

    villages = rosters.villages.assign(county_code=["620502", "620503"])
    cadres = rosters.cadres.assign(is_retired=[False, True])
    rosters = replace(rosters, villages=villages, cadres=cadres)
    policy = load_policy(overrides={"max_km": 8, "team_size": {"四大班子": {"min": 1, "max": 1}}})
    links = pd.DataFrame({"unit_id": ["U1", "U2"], "village_code": ["620502101202", "620502101201"]})
    teams = pd.DataFrame({"period": ["2025H1", "2025H1", "2025H1"], "unit_id": ["U1", "U1", "U2"],
                          "village_code": ["620502101202", "620502101202", "620502101201"], "cadre_id": ["C1", "C1", "C2"]})
    said = {(p.file, p.row, p.message_en) for p in check_accepted(rosters, policy, 2025, links=links, teams=teams)}
    assert ("links", 2, "a county unit links villages of its own county only") in said
    assert any(file == "links" and "beyond the distance limit" in en for file, _, en in said)
    assert ("teams", 4, "retired cadres do not serve in work teams") in said
    assert any(file == "teams" and "at most 1 members" in en for file, _, en in said)


def test_with_links_stored_a_household_must_be_in_its_units_villages(city, tmp_path, capsys):
    db = copy_of(city / "s.sqlite", tmp_path / "s.sqlite")
    assert main(["accept", "--links", str(city / "联村.xlsx"), "--term-start", "2025", "--db", str(db)]) == 0
    path = careless(city, "pairs", household_outside_the_units_villages)
    assert main(["accept", "--pairs", path, "--term-start", "2025", "--db", str(db)]) == 1
    assert "not one the cadre's unit links" in capsys.readouterr().err


def test_new_links_may_not_strand_stored_pairings_or_teams(city, tmp_path, capsys):
    db = copy_of(city / "s.sqlite", tmp_path / "s.sqlite")
    links, pairs, teams = (str(city / name) for name in ("联村.xlsx", "联户.xlsx", "轮换.xlsx"))
    assert main(["accept", "--pairs", pairs, "--links", links, "--teams", teams, "--term-start", "2025", "--db", str(db)]) == 0
    frame = read_pairs(links, ("unit_id", "village_code"))
    path = tmp_path / "fewer.csv"
    write_tables({"表": frame.iloc[[0]]}, path, lang="en")  # its unit now links the first village only
    assert main(["accept", "--links", str(path), "--term-start", "2025", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.count("(stranded)") == 2 and "--pairs" in err and "--teams" in err


def test_teams_need_links_and_one_spelling_of_a_period(city, tmp_path, capsys):
    db = tmp_path / "s.sqlite"  # rosters only
    assert main(["validate", str(city / "rosters"), "--save", "--db", str(db)]) == 0
    assert main(["accept", "--teams", str(city / "轮换.xlsx"), "--term-start", "2025", "--db", str(db)]) == 1
    assert "no unit–village links yet" in capsys.readouterr().err
    assert main(["accept", "--links", str(city / "联村.xlsx"), "--term-start", "2025", "--db", str(db)]) == 0
    teams = read_pairs(city / "轮换.xlsx", ("period", "unit_id", "village_code", "cadre_id"))
    first = teams[teams["period"] == "2025H1"]
    again = first.iloc[[0]].assign(period="2025h1 ")  # the same cadre, the same half year, spelled otherwise
    path = tmp_path / "teams.csv"
    write_tables({"表": pd.concat([first, again])}, path, lang="en")
    assert main(["accept", "--teams", str(path), "--term-start", "2025", "--db", str(db)]) == 1
    assert "duplicate_key" in capsys.readouterr().err


def test_a_teams_file_for_one_unit_keeps_the_other_units_teams(city, tmp_path):
    db = copy_of(city / "s.sqlite", tmp_path / "s.sqlite")
    assert main(["accept", "--links", str(city / "联村.xlsx"), "--teams", str(city / "轮换.xlsx"), "--term-start", "2025",
                 "--db", str(db)]) == 0
    before = Store(db).teams()
    teams = read_pairs(city / "轮换.xlsx", ("period", "unit_id", "village_code", "cadre_id"))
    one_unit = teams[teams["unit_id"] == teams["unit_id"].iloc[0]]
    path = tmp_path / "one.csv"
    write_tables({"表": one_unit}, path, lang="en")
    assert main(["accept", "--teams", str(path), "--term-start", "2025", "--db", str(db)]) == 0
    assert len(Store(db).teams()) == len(before)


def test_a_field_given_twice_is_said(city, tmp_path, capsys):
    path = tmp_path / "twice.csv"
    path.write_text("cadre_id,household_id,干部编号\nGB00000001,H1,GB00000002\n", encoding="utf-8")
    assert main(["accept", "--pairs", str(path), "--term-start", "2025", "--db", str(city / "s.sqlite")]) == 1
    assert "two columns mean the same field" in capsys.readouterr().err
