"""The whole year from the command line alone, as a planner would run it."""

from lianhu_tools.cli import main
from lianhu_tools.store import Store


def test_command_line_year(tmp_path, capsys):
    def run(*args):
        assert main([str(a) for a in args]) == 0, capsys.readouterr()

    rosters, archives, db = tmp_path / "rosters", tmp_path / "arch", tmp_path / "s.sqlite"
    run("demo-data", "--size", "tiny", "--out", rosters, "--archives-out", archives)
    run("validate", rosters, "--save", "--db", db)
    run("match", "villages", "--rosters", rosters, "--out", tmp_path / "联村.xlsx")
    run("match", "households", "--rosters", rosters, "--links", tmp_path / "联村.xlsx", "--out", tmp_path / "联户.xlsx")
    run("rotate", "--rosters", rosters, "--links", tmp_path / "联村.xlsx", "--from", "2025H1", "--periods", "2",
        "--out", tmp_path / "轮换.xlsx")
    run("accept", "--pairs", tmp_path / "联户.xlsx", "--links", tmp_path / "联村.xlsx", "--teams", tmp_path / "轮换.xlsx",
        "--term-start", "2025", "--status", "locked", "--db", db)
    run("archive", "import", archives / "工作记录", "--db", db)
    run("plan", "import", archives / "三年规划.xlsx", "--term-start", "2025", "--db", db)
    run("assess", "--period", "2025", "--out", tmp_path / "pub", "--db", db)
    run("report", "--period", "2025", "--out", tmp_path / "rep", "--db", db)
    store = Store(db)
    pairs = store.current("pairings")
    assert set(pairs["status"]) == {"locked"} and set(pairs["pool"]) <= {"poor", "party"}
    assert len(store.teams()) == 12 and (tmp_path / "pub" / "考核结果_2025.html").exists()
    assert "党员小康建设户" in (tmp_path / "rep" / "工作报告.txt").read_text(encoding="utf-8")
