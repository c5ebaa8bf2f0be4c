"""The main job, step by step, on rosters a city receives (here: the generated demo city)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Callable

from .io import excel_writer, write_rosters
from .policy import load_policy
from .problems import RosterWarning
from .rosters import Rosters, load_rosters
from .schema import TABLES
from .summary import county_summary


def write_demo_rosters(size: str = "tiny", out: str | Path = "build/demo/rosters", seed: int = 2012,
                       file_format: str = "xlsx", encoding: str = "utf-8-sig") -> Path:
    """Write the demo city's roster files, as a city would receive them; returns the folder."""
    from .demo import generate_city

    write_rosters(generate_city(size, seed=seed).tables(), out, file_format, encoding=encoding)
    return Path(out)


def run_demo(size: str = "city", seed: int = 2012, out: str | Path = "build/demo",
             policy_file: str | Path | None = None, say: Callable[[str], None] = print) -> Rosters:
    """Generate the demo city's files, load and validate them, classify households, summarise."""
    from .demo import generate_city

    out = Path(out)
    policy = load_policy(policy_file)
    say(f"生成演示城市（{size}，种子 {seed}）/ generating the demo city")
    city = generate_city(size, seed=seed)
    paths = write_rosters(city.tables(), out / "rosters", "xlsx")
    say(f"名册已写入 / rosters written: {out / 'rosters'} ({len(paths)} 个文件)")

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RosterWarning)
        rosters = load_rosters(paths)
    say(f"载入并校验完毕 / loaded and validated in {time.perf_counter() - started:.1f} s: "
        + "，".join(f"{TABLES[n].zh} {len(t):,}" for n, t in rosters.tables().items())
        + f"；警告 {len(rosters.warnings)} 条")

    summary = county_summary(rosters, policy, chinese=True)
    summary_path = out / "名册汇总.xlsx"
    with excel_writer(summary_path) as writer:
        summary.to_excel(writer, sheet_name="按县区汇总", index=False)
    say(f"按县区汇总 / summary by county (also in {summary_path}):")
    print(summary.to_string(index=False), flush=True)
    return rosters
