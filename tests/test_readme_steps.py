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


def test_the_readmes_planner_steps_run_as_written(tmp_path):
    from lianhu_tools.store import Store

    env = os.environ | {"LIANHU_ERROR_DIR": str(tmp_path / "errors")}
    env.pop("LIANHU_DB", None)
    subprocess.run([LIANHU, "demo-data", "--size", "tiny", "--out", "收到的名册", "--archives-out", "demo"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    shutil.move(tmp_path / "demo" / "工作记录", tmp_path / "各县区工作日志")
    shutil.move(tmp_path / "demo" / "三年规划.xlsx", tmp_path / "三年规划.xlsx")
    shutil.copytree(ROOT / "data" / "policies", tmp_path / "data" / "policies")  # as in the project's folder
    steps = planner_steps()
    assert len(steps) >= 10 and all(s.startswith((".venv/bin/lianhu ", "make ")) for s in steps)
    for step in steps:
        words = shlex.split(step, comments=True)
        if words[0] == "make":  # the dashboard: a server, tried by tests/test_browser.py
            continue
        done = subprocess.run([str(LIANHU), *words[1:]], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{step}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stdout + done.stderr
    store = Store(tmp_path / "data" / "lianhu.sqlite")
    assert len(store.current("pairings")) and len(store.current("links")) and len(store.teams())
    assert len(store.activities()) and len(store.plans()) and len(store.assessments()) == 1
    assert (tmp_path / "公开发布" / "考核结果_2025H1.xlsx").exists() and (tmp_path / "名册模板.xlsx").exists()
