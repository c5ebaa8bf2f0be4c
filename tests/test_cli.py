"""The `lianhu` command: exit codes, JSON, files written."""

import json
import os

import pytest
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
from conftest import base_tables, write_csv_rosters
from standalone import assert_works_alone

from lianhu_tools.cli import main

PROBLEM_KEYS = {"file", "sheet", "row", "column", "value", "code", "message_zh", "message_en"}


def test_validate_clean_exits_0(clean_dir, capsys):
    assert main(["validate", str(clean_dir)]) == 0
    assert "名册无误" in capsys.readouterr().out


def test_validate_problems_exit_1_with_json(tmp_path, capsys):
    tables = base_tables()
    tables["户"].loc[1, "人均纯收入"] = "-3"
    tables["干部"].loc[0, "职级"] = "部长"
    folder = write_csv_rosters(tmp_path, tables)
    assert main(["validate", str(folder), "--format", "json", "--problems-out", str(tmp_path / "问题清单.xlsx")]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert all(PROBLEM_KEYS <= set(p) for p in problems)
    assert {(p["code"], p["row"], p["column"]) for p in problems} == {("negative_value", 3, "人均纯收入"),
                                                                     ("rank_unknown", 2, "职级")}
    sheet = pd.read_excel(tmp_path / "问题清单.xlsx", sheet_name="问题清单", dtype=str, engine="calamine")
    assert sorted(sheet["问题代码"]) == ["negative_value", "rank_unknown"]
    assert sorted(sheet["文件"]) == ["干部.csv", "户.csv"]  # named from the folder the files share, not the full path


def test_usage_errors_exit_2(tmp_path):
    assert main(["validate", str(tmp_path / "nowhere.csv")]) == 2
    assert main([]) == 2
    result = subprocess.run([sys.executable, "-m", "lianhu_tools.cli", "validate", "--format", "xml", "x"],
                            capture_output=True)
    assert result.returncode == 2


@pytest.mark.parametrize("args", [["warn", "--period", "0000H1"], ["sample", "draw", "--period", "2025H2", "--per-county",
                                                                 "5", "--seed=-1"],
                                  ["sample", "draw", "--period", "2025H2", "--per-county", "5", "--seed=99999999999999999999"]])
def test_hostile_periods_and_seeds_are_usage_errors(tmp_path, args, capsys):
    try:
        code = main([*args, "--db", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "out")])
    except SystemExit as refused:  # argparse's own way out, as from a shell
        code = refused.code
    said = capsys.readouterr().err
    assert code == 2, said
    assert "内部错误" not in said and "Traceback" not in said and ("期别" in said or "种子" in said)


def test_installed_entry_point_runs(clean_dir):
    lianhu = Path(sys.executable).parent / "lianhu"
    result = subprocess.run([str(lianhu), "validate", str(clean_dir), "--format", "json"], capture_output=True, text=True)
    assert result.returncode == 0 and json.loads(result.stdout) == []


def test_policy_show_json(tmp_path, capsys):
    (tmp_path / "p.yaml").write_text("max_km: 25\n", encoding="utf-8")
    assert main(["policy", "show", "--policy-file", str(tmp_path / "p.yaml"), "--format", "json"]) == 0
    policy = json.loads(capsys.readouterr().out)
    assert policy["max_km"] == 25 and policy["quotas"]["县处级"] == {"party": 1, "poor": 1}


def test_bad_policy_file_exits_1(tmp_path, capsys):
    (tmp_path / "p.yaml").write_text("max_km: -4\n", encoding="utf-8")
    assert main(["policy", "show", "--policy-file", str(tmp_path / "p.yaml")]) == 1
    assert "policy_wrong_type" in capsys.readouterr().err


def test_template_and_summary(tmp_path, clean_dir, capsys):
    assert main(["template", "--out", str(tmp_path / "t.xlsx")]) == 0
    assert (tmp_path / "t.xlsx").exists()
    assert main(["summary", str(clean_dir)]) == 0
    out = capsys.readouterr().out
    assert "秦州区" in out and "全市" in out


def test_match_villages_then_households(tmp_path):
    from lianhu_tools.pairing.output import read_pairs

    assert main(["demo-data", "--size", "tiny", "--out", str(tmp_path / "r")]) == 0
    assert main(["match", "villages", "--rosters", str(tmp_path / "r"), "--out", str(tmp_path / "links.csv"),
                 "--lang", "en"]) == 0
    links = pd.read_csv(tmp_path / "links.csv", dtype=str)
    assert {"unit_id", "village_code", "distance_km"} <= set(links.columns)
    assert main(["match", "villages", "--rosters", str(tmp_path / "r"), "--out", str(tmp_path / "links.xlsx")]) == 0
    assert {"单位编号", "村代码"} <= set(pd.read_excel(tmp_path / "links.xlsx", engine="calamine").columns)
    assert main(["match", "households", "--rosters", str(tmp_path / "r"), "--links", str(tmp_path / "links.xlsx"),
                 "--out", str(tmp_path / "pairs.csv"), "--lang", "en"]) == 0
    pairs = pd.read_csv(tmp_path / "pairs.csv", dtype=str)
    assert {"cadre_id", "household_id", "distance_km", "status"} <= set(pairs.columns)
    assert set(pairs["village_code"]) <= set(read_pairs(tmp_path / "links.xlsx", ("village_code",))["village_code"])
    assert main(["match", "households", "--rosters", str(tmp_path / "r"), "--policy", "distance", "--max-km", "30",
                 "--out", str(tmp_path / "pairs.xlsx")]) == 0
    assert main(["rotate", "--rosters", str(tmp_path / "r"), "--links", str(tmp_path / "links.xlsx"),
                 "--from", "2025H1", "--periods", "6", "--out", str(tmp_path / "teams.csv"), "--lang", "en"]) == 0
    teams = pd.read_csv(tmp_path / "teams.csv", dtype=str)
    assert teams["period"].nunique() == 6 and {"unit_id", "village_code", "cadre_id"} <= set(teams.columns)
    assert main(["rotate", "--rosters", str(tmp_path / "r"), "--links", str(tmp_path / "links.xlsx"),
                 "--from", "2025Q3", "--out", str(tmp_path / "t.xlsx")]) == 2
    assert main(["rotate", "--rosters", str(tmp_path / "r"), "--links", str(tmp_path / "links.xlsx"),
                 "--from", "2025H1", "--out", str(tmp_path / "t.xlsx")]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert {row[headers.index("留任交接")].value for row in sheet.iter_rows(min_row=2)} == {"是", "否"}
    assert sheet.cell(2, headers.index("村代码") + 1).number_format == "@"  # a clerk retyping a code keeps it text


def test_dashboard_command_serves_a_store_and_refuses_a_missing_one(tmp_path, capsys):
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from lianhu_tools.demo.pipeline import start_demo_year
    from lianhu_tools.serve import free_port

    assert main(["dashboard", "--db", str(tmp_path / "none.sqlite")]) == 2
    assert "没有这个数据库" in capsys.readouterr().err  # said before anything is served
    year = start_demo_year("tiny", tmp_path / "year")
    port = free_port()
    log = (tmp_path / "dashboard.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "lianhu_tools.cli", "dashboard", "--db", str(year.folder / "lianhu.sqlite"),
                               "--port", str(port), "--max-viewers", "3", "--abandoned-timeout", "45"],
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=120) as response:
                    page = response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the dashboard did not start"
                time.sleep(0.5)
        assert response.status == 200 and "cdn.jsdelivr.net" not in page and "cdnjs" not in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # Voilà and its kernel
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    output = (tmp_path / "dashboard.log").read_text()
    assert f"http://127.0.0.1:{port}/" in output and str(year.folder / "lianhu.sqlite") in output
    assert "同时至多 3 个页面" in output and "Culling kernels with idle durations > 45 seconds at 30 second" in output
    assert "3 个页面预先画好" in output  # as many as the pages allowed, when fewer than the default
    assert main(["dashboard", "--db", str(year.folder / "lianhu.sqlite"), "--max-viewers", "2", "--ready", "3"]) == 2
    assert "--ready" in capsys.readouterr().err


def test_limits_and_engines_are_refused_before_any_work(tmp_path, capsys):
    assert main(["demo-data", "--size", "tiny", "--out", str(tmp_path / "r")]) == 0
    for km in ("0", "-5", "nan", "inf", "abc"):
        code = None
        try:
            main(["match", "households", "--rosters", str(tmp_path / "r"), "--policy", "distance", "--max-km", km,
                  "--out", str(tmp_path / "p.csv")])
        except SystemExit as stop:  # argparse refuses the value itself
            code = stop.code
        assert code == 2, km
        assert "max-km" in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()
    result = subprocess.run([sys.executable, "-m", "lianhu_tools.cli", "match", "villages", "--rosters", str(tmp_path / "r"),
                             "--solver", "gurobi", "--out", str(tmp_path / "l.csv")], capture_output=True, text=True)
    assert result.returncode == 2 and "gurobi" in result.stderr
    (tmp_path / "p.yaml").write_text("quotas:\n  县处级: {poor: 1000000000000}\n", encoding="utf-8")
    assert main(["match", "villages", "--rosters", str(tmp_path / "r"), "--policy-file", str(tmp_path / "p.yaml"),
                 "--out", str(tmp_path / "l.csv")]) == 1
    assert "policy_out_of_range" in capsys.readouterr().err and not (tmp_path / "l.csv").exists()


def test_the_distance_limit_holds_under_every_locality(tmp_path):
    assert main(["demo-data", "--size", "small", "--out", str(tmp_path / "r"), "--format", "csv"]) == 0
    assert main(["match", "villages", "--rosters", str(tmp_path / "r"), "--out", str(tmp_path / "links.csv"), "--lang", "en"]) == 0
    for locality in ("county", "unit_villages"):
        for km in ("60", "15"):
            assert main(["match", "households", "--rosters", str(tmp_path / "r"), "--links", str(tmp_path / "links.csv"),
                         "--policy", locality, "--max-km", km, "--out", str(tmp_path / f"{locality}.csv"), "--lang", "en"]) == 0
            pairs = pd.read_csv(tmp_path / f"{locality}.csv")
            assert len(pairs) and (pairs["distance_km"] <= float(km)).all()
            assert km == "15" or (pairs["distance_km"] > 15).any()  # the limit binds
        uncovered = pd.read_csv(tmp_path / f"{locality}_未覆盖农户.csv")
        assert uncovered["reason_en"].notna().all() and uncovered["fix_zh"].notna().all()


def test_compare_policies_on_the_command_line(tmp_path, capsys):
    assert main(["demo-data", "--size", "small", "--out", str(tmp_path / "r"), "--format", "csv"]) == 0
    root = Path(__file__).parents[1] / "data" / "policies"
    out, figure = tmp_path / "政策比较.xlsx", tmp_path / "政策比较.html"
    assert main(["compare", "--rosters", str(tmp_path / "r"), "--policy-file", str(root / "名额放宽.yaml"),
                 str(root / "同一县区.yaml"), "--out", str(out), "--figure", str(figure), "--db", str(tmp_path / "none.sqlite")]) == 2
    assert main(["compare", "--rosters", str(tmp_path / "r"), "--policy-file", str(root / "名额放宽.yaml"),
                 str(root / "同一县区.yaml"), "--out", str(out), "--figure", str(figure)]) == 0
    table = pd.read_excel(out, engine="calamine")
    assert list(table["政策"]) == ["名额放宽", "同一县区"]
    assert (table["绝对贫困户已覆盖"] <= table["绝对贫困户"]).all() and table["95%距离(km)"].notna().all()
    assert "名额放宽" in capsys.readouterr().out
    assert "政策比较" in assert_works_alone(figure)


def test_pairing_files_that_cannot_be_used_are_refused_in_words(tmp_path, capsys):
    assert main(["demo-data", "--size", "tiny", "--out", str(tmp_path / "r"), "--format", "csv"]) == 0
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    (tmp_path / "pins.csv").write_text("cadre_id,household_id\nGB1,H1\n", encoding="utf-8")
    for links in ("empty.csv", "pins.csv", "missing.csv"):
        code = main(["match", "households", "--rosters", str(tmp_path / "r"), "--links", str(tmp_path / links),
                     "--out", str(tmp_path / "p.csv")])
        assert code in (1, 2), links
        err = capsys.readouterr().err
        assert ("空" in err or "缺少列" in err or "not found" in err) and "Traceback" not in err, (links, err)
    assert not (tmp_path / "p.csv").exists()


def test_compare_keeps_two_policies_of_the_same_name(tmp_path):
    assert main(["demo-data", "--size", "tiny", "--out", str(tmp_path / "r"), "--format", "csv"]) == 0
    for folder, km in (("a", 20), ("b", 40)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "p.yaml").write_text(f"max_km: {km}\n", encoding="utf-8")
    assert main(["compare", "--rosters", str(tmp_path / "r"), "--policy-file", str(tmp_path / "a" / "p.yaml"),
                 str(tmp_path / "b" / "p.yaml"), "--out", str(tmp_path / "c.csv"), "--lang", "en"]) == 0
    table = pd.read_csv(tmp_path / "c.csv")
    assert len(table) == 2 and sorted(table["max_km"]) == [20, 40]


def test_a_fault_or_an_interrupt_is_said_briefly_and_a_fault_reported_privately(monkeypatch, capsys, tmp_path):
    from lianhu_tools import cli

    monkeypatch.setenv("LIANHU_ERROR_DIR", str(tmp_path / "errors"))
    said = {}
    for raised, code in ((KeyError("oops"), 3), (KeyboardInterrupt(), 130)):
        def run(args, raised=raised):
            raise raised
        monkeypatch.setattr(cli, "_template", run)
        assert cli.main(["template", "--out", "postgresql://planner:s3cret@db/city.xlsx"]) == code
        said[code] = capsys.readouterr().err
        assert "Traceback" not in said[code] and "s3cret" not in said[code]
    assert len(said[130].strip().splitlines()) == 1
    report = next((tmp_path / "errors").iterdir())  # the fault: one line, and where its full report is
    assert said[3].strip().splitlines()[1].endswith(str(report)) and report.stat().st_mode & 0o777 == 0o600
    text = report.read_text(encoding="utf-8")
    assert "Traceback" in text and "KeyError: 'oops'" in text and "planner:***@db" in text and "s3cret" not in text
    assert (tmp_path / "errors").stat().st_mode & 0o777 == 0o700
    assert main(["demo", "--size", "huge", "--out", "x"]) == 2


@pytest.mark.parametrize("args", [
    pytest.param(["rotate", "--rosters", "r", "--links", "l.xlsx", "--from", "2025H1", "--periods", "0", "--out", "x.xlsx"], id="no terms"),
    pytest.param(["rotate", "--rosters", "r", "--links", "l.xlsx", "--from", "2025H1", "--periods", "100000", "--out", "x.xlsx"], id="endless terms"),
    pytest.param(["rotate", "--rosters", "r", "--links", "l.xlsx", "--from", "2025H1", "--handover", "-1", "--out", "x.xlsx"], id="negative handover"),
    pytest.param(["dashboard", "--port", "99999"], id="no such port"),
    pytest.param(["dashboard", "--max-viewers", "0"], id="no viewers"),
    pytest.param(["dashboard", "--max-viewers", "1000"], id="viewers past any memory"),
    pytest.param(["dashboard", "--abandoned-timeout", "1"], id="abandoned pages culled while loading"),
    pytest.param(["dashboard", "--idle-timeout", "10"], id="open pages culled while read"),
    pytest.param(["dashboard", "--cull-interval", "0"], id="no culling checks"),
])
def test_impossible_options_are_usage_errors(args, capsys):
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == 2 and "Traceback" not in capsys.readouterr().err


def test_a_store_that_is_not_one_is_said_and_none_is_made(tmp_path, capsys):
    (tmp_path / "text.sqlite").write_text("not a database", encoding="utf-8")
    for db in (tmp_path / "text.sqlite", tmp_path):
        assert main(["archive", "rollup", "--db", str(db), "--out", str(tmp_path / "r.xlsx")]) == 2
        assert "不是工作台数据库" in capsys.readouterr().err
    for command in (["archive", "import", str(tmp_path)], ["plan", "import", str(tmp_path), "--term-start", "2025"],
                    ["accept", "--pairs", str(tmp_path / "p.xlsx"), "--term-start", "2025"]):
        assert main(command + ["--db", str(tmp_path / "mistyped.sqlite")]) == 2
        assert not (tmp_path / "mistyped.sqlite").exists()


def test_a_problem_list_must_be_a_workbook(tmp_path):
    with pytest.raises(SystemExit) as caught:
        main(["validate", str(tmp_path), "--problems-out", str(tmp_path / "问题.txt")])
    assert caught.value.code == 2


def test_validate_lists_the_tables_found_and_a_missing_one_is_a_problem(tmp_path, capsys):
    tables = base_tables()
    del tables["干部"]
    folder = write_csv_rosters(tmp_path / "no_cadres", tables)
    assert main(["validate", str(folder), "--problems-out", str(tmp_path / "问题清单.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "找到 / found: 村表 2 行，户表 3 行，单位表 2 行" in out and "missing_table" in out and "缺少干部表" in out
    assert main(["validate", str(folder), "--partial"]) == 0 and "名册无误" in capsys.readouterr().out
    assert main(["validate", str(folder), "--partial", "--save"]) == 2
    assert main(["validate", str(write_csv_rosters(tmp_path / "all")), "--problems-out", str(tmp_path / "p.xlsx")]) == 0
    assert "未写问题清单" in capsys.readouterr().err and not (tmp_path / "p.xlsx").exists()


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    """`lianhu … | head`: the pipe closes before the output is written."""
    lianhu = Path(sys.executable).with_name("lianhu")
    process = subprocess.Popen([str(lianhu), "policy", "show"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=os.environ | {"LIANHU_ERROR_DIR": str(tmp_path)})
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait() == 141 and "Traceback" not in err and "内部错误" not in err and not list(tmp_path.iterdir())


def test_lab_sets_the_chinese_interface_and_starts_jupyterlab(monkeypatch, tmp_path, capsys):
    from lianhu_tools import cli

    started = []
    monkeypatch.setattr(cli.sys, "prefix", str(tmp_path))
    monkeypatch.setattr(cli.os, "execve", lambda path, command, env: started.append((command, env)))
    monkeypatch.delenv("LIANHU_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    cli.main(["lab", str(tmp_path)])
    settings = json.loads((tmp_path / "share/jupyter/lab/settings/overrides.json").read_text(encoding="utf-8"))
    assert settings["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    assert started[0][0][1:4] == ["-m", "jupyterlab", str(tmp_path)] and started[0][1]["LIANHU_DB"] == ""  # a demo city
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "lianhu.sqlite").touch()
    cli.main(["lab", str(tmp_path)])  # the city's store, found where the README puts it, given as a full path
    assert started[1][1]["LIANHU_DB"] == str(tmp_path / "data" / "lianhu.sqlite")
    assert cli.main(["lab", str(tmp_path), "--db", "postgresql+psycopg://planner:secret@127.0.0.1/city"]) == 2
    assert len(started) == 2 and "secret" not in "".join(capsys.readouterr())  # a password stays out of kernels
    cli.main(["lab", str(tmp_path), "--db", "postgresql+psycopg://planner@127.0.0.1/city"])  # ~/.pgpass has it
    assert started[2][1]["LIANHU_DB"] == "postgresql+psycopg://planner@127.0.0.1/city"
    assert main(["lab", str(tmp_path / "nowhere")]) == 2
