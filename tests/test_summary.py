"""The county summary, checked by hand on the conftest rosters."""

from lianhu_tools.rosters import load_rosters
from lianhu_tools.summary import county_summary


def test_county_summary_by_hand(clean_dir):
    summary = county_summary(load_rosters(clean_dir)).set_index("county_name")
    county = summary.loc["秦州区"]
    assert county["county_code"] == "620502"
    assert (county["townships"], county["villages"], county["poor_villages"], county["households"]) == (1, 2, 1, 3)
    assert (county["绝对贫困户"], county["低收入户"], county["非贫困户"], county["party_household_candidates"]) == (1, 1, 1, 1)
    assert (county["units"], county["cadres"], county["县处级"]) == (1, 1, 1)
    city = summary.loc["市直及以上"]
    assert (city["units"], city["cadres"], city["一般干部"], city["villages"]) == (1, 1, 1, 0)
    total = summary.loc["全市"]
    assert (total["units"], total["cadres"], total["households"]) == (2, 2, 3)


def test_chinese_labels(clean_dir):
    assert list(county_summary(load_rosters(clean_dir), chinese=True).columns[:4]) == ["县区代码", "县区", "乡镇", "村"]
