"""The planners' notebooks 02 (pairing) and 03 (plans) on a city's own store, not the demo's: `lianhu lab --db`
(or LIANHU_DB) names it and the notebooks open it — here a store of 平凉市, whose counties the demo never has."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture(scope="module")
def city_store(tmp_path_factory) -> Path:
    from lianhu_tools.demo import CitySize, generate_city
    from lianhu_tools.demo.pipeline import demo_pairings, demo_year
    from lianhu_tools.rosters import load_rosters
    from lianhu_tools.tables import write_rosters

    folder = tmp_path_factory.mktemp("pingliang")
    city = generate_city(CitySize(counties=2, townships=4, villages=12, units=8, cadres=200, households=240,
                                  region="平凉市"), seed=31)
    write_rosters(city.tables(), folder / "rosters", "xlsx")
    rosters = load_rosters(folder / "rosters")
    demo_year(rosters, *demo_pairings(rosters), folder, seed=31)
    return folder / "lianhu.sqlite"


@pytest.mark.parametrize("name", ["02_matching", "03_plans"])
def test_a_planners_notebook_runs_on_the_citys_own_store(city_store, name, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    from lianhu_tools.store import Store

    monkeypatch.setenv("LIANHU_DB", str(city_store))
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    printed = "".join(output.get("text", "") + json.dumps(output.get("data", {}), ensure_ascii=False)
                      for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)
    store = Store(city_store)
    if name == "02_matching":  # coverage by county: the city's counties
        assert set(store.rosters().villages["county_name"]) == {"崆峒区", "泾川县"}
        assert "崆峒区" in printed and "泾川县" in printed
    else:
        assert f"措施 {len(store.plans())} 条" in printed
    assert "秦州区" not in printed and "麦积区" not in printed  # nothing of the demo city
