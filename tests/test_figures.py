"""Figures are pure functions of tables: check what they draw, not pixels."""

import pandas as pd
from test_pairing_households import SMALL, rosters_of

from lianhu_tools.figures import households_by_county, pairing_map
from lianhu_tools.pairing.households import match_households
from lianhu_tools.pairing.villages import match_villages
from lianhu_tools.summary import county_summary


def test_pairing_map_draws_every_link_and_village():
    rosters = rosters_of(SMALL, 2)
    links = match_villages(rosters, max_km=30).links
    pairs = match_households(rosters, links=links).pairs
    fig = pairing_map(rosters.villages, rosters.units, links, pairs, rosters.households)
    traces = {t.name: t for t in fig.data}
    assert len(traces["单位—村 unit–village"].x) == 3 * len(links)
    assert len(traces["干部—农户 cadre–household"].x) == 3 * len(pairs)
    shown = sum(len(t.x) for name, t in traces.items() if "村 " in name and "—" not in name)
    assert shown == len(rosters.villages)
    assert fig.layout.yaxis.scaleanchor == "x"


def test_households_by_county_stacks_the_classes():
    rosters = rosters_of("tiny")
    summary = county_summary(rosters)
    fig = households_by_county(summary)
    assert [t.name for t in fig.data] == ["绝对贫困户", "低收入户", "非贫困户"]
    counties = summary[(summary["villages"] > 0) & (summary["county_name"] != "全市")]
    assert sum(sum(t.y) for t in fig.data) == counties["households"].sum()
    assert isinstance(fig.data[0].x[0], str) and pd.notna(fig.data[0].y[0])


def test_pairing_map_is_drawn_over_the_real_county_outlines_with_their_names():
    from lianhu_tools.outlines import county_outline

    rosters = rosters_of(SMALL, 2)
    fig = pairing_map(rosters.villages, rosters.units, match_villages(rosters, max_km=30).links)
    traces = {t.name: t for t in fig.data}
    counties = rosters.villages.drop_duplicates("county_code")
    rings = sum(len(county_outline(c, n).rings()) for c, n in zip(counties["county_code"], counties["county_name"]))
    assert list(traces["县界 county outlines"].x).count(None) == rings
    assert sorted(a.text for a in fig.layout.annotations) == sorted(counties["county_name"])  # above the markers
