"""The README's planner steps ("用本市的名册 · With your own files"), run as written, one after another, in a fresh
folder holding what a city receives and the project's data/policies/ (rosters, the counties' diaries, the plans: here the tiny demo's). Only `make`
lines, which start servers, are left out; every other line must succeed, and the store must hold what they did."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIANHU = Path(sys.executable).parent / "lianhu"


def planner_steps() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 用本市的名册 · With your own files", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def run_steps(folder: Path, db: str | None = None) -> None:
    """The README's planner steps in `folder`, on data/lianhu.sqlite or, with `db`, on that store (LIANHU_DB)."""
    env = os.environ | {"LIANHU_ERROR_DIR": str(folder / "errors")}
    env.pop("LIANHU_DB", None)
    subprocess.run([LIANHU, "demo-data", "--size", "tiny", "--out", "收到的名册", "--archives-out", "demo"],
                   cwd=folder, env=env, check=True, capture_output=True)
    shutil.move(folder / "demo" / "工作记录", folder / "各县区工作日志")
    shutil.move(folder / "demo" / "三年规划.xlsx", folder / "三年规划.xlsx")
    shutil.copytree(ROOT / "data" / "policies", folder / "data" / "policies")  # as in the project's folder
    if db:
        env["LIANHU_DB"] = db
    steps = planner_steps()
    assert len(steps) >= 10 and all(s.startswith((".venv/bin/lianhu ", "make ")) for s in steps)
    for step in steps:
        words = shlex.split(step, comments=True)
        if words[0] == "make":  # the dashboard: a server, tried by tests/test_browser.py
            continue
        done = subprocess.run([str(LIANHU), *words[1:]], cwd=folder, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{step}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stdout + done.stderr


def test_the_readmes_planner_steps_run_as_written(tmp_path):
    from lianhu_tools.store import Store

    run_steps(tmp_path)
    store = Store(tmp_path / "data" / "lianhu.sqlite")
    assert len(store.current("pairings")) and len(store.current("links")) and len(store.teams())
    assert len(store.activities()) and len(store.plans()) and len(store.assessments()) == 1
    assert (tmp_path / "公开发布" / "考核结果_2025H1.xlsx").exists() and (tmp_path / "名册模板.xlsx").exists()


def test_on_postgresql_the_same_steps_publish_the_same_results(tmp_path, postgres):
    import pandas as pd

    from lianhu_tools.store import Store

    (tmp_path / "sqlite").mkdir(), (tmp_path / "postgres").mkdir()
    run_steps(tmp_path / "sqlite")
    url = postgres.new_database()
    run_steps(tmp_path / "postgres", url)
    assert not (tmp_path / "postgres" / "data" / "lianhu.sqlite").exists() and len(Store(url).assessments()) == 1
    published = sorted(p.relative_to(tmp_path / "sqlite") for p in (tmp_path / "sqlite" / "公开发布").rglob("*.xlsx"))
    assert published
    for path in published:
        for sheet, frame in pd.read_excel(tmp_path / "sqlite" / path, sheet_name=None, engine="openpyxl").items():
            pd.testing.assert_frame_equal(pd.read_excel(tmp_path / "postgres" / path, sheet_name=sheet, engine="openpyxl"),
                                          frame)
