"""抽样核查: a seeded stratified sample (the same seed, the same households; strata in proportion), the survey sheets
read back with every problem listed, estimates whose confidence intervals cover the demo's true rates, and the
assessment's deductions from the answers."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from lianhu_tools.assessment import load_indicators, score_period
from lianhu_tools.demo.living_year import filled_survey, household_truth, living_year
from lianhu_tools.demo.pipeline import start_demo_year
from lianhu_tools.policy import default_policy
from lianhu_tools.sampling import ESTIMATES, SurveyError, draw_sample, estimates, read_survey, sampling_frame, survey_sheets


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sampling")
    year = start_demo_year("small", folder / "year")
    living_year(year.store, "small", folder / "second", 2012)
    store = year.store
    exited = set(store.roster_change_list(default_policy(), "approved").query("kind == 'household_exit'")["subject_id"])
    frame = sampling_frame(store.rosters(), default_policy(), exited)
    return store, frame, household_truth(frame, store, 2012), folder


def test_the_same_seed_draws_the_same_households_in_proportion(city):
    store, frame, _, _ = city
    first, again, other = draw_sample(frame, 90, 7), draw_sample(frame, 90, 7), draw_sample(frame, 90, 8)
    assert first["household_id"].tolist() == again["household_id"].tolist()
    assert set(first["household_id"]) != set(other["household_id"])
    assert first.groupby("county_code").size().eq(90).all()
    share = first["stratum_households"] * 90 / first["county_code"].map(frame.groupby("county_code").size())
    assert (first.groupby(["county_code", "township_code", "grp"])["stratum_sampled"].first()
            - share.groupby([first["county_code"], first["township_code"], first["grp"]]).first()).abs().max() < 1
    assert set(first["grp"]) == {"poor", "exited", "party"}


def test_estimates_carry_intervals_that_cover_the_true_rates(city, tmp_path):
    store, frame, truth, _ = city
    drawn = draw_sample(frame, 150, 2012)
    paths = filled_survey(survey_sheets(drawn, store.rosters(), store.current("pairings")), truth, tmp_path)
    table = estimates(drawn, read_survey(paths, drawn))
    for row in table.itertuples():
        column, groups, yes, *_ = ESTIMATES[row.estimate]
        population = truth[(truth["county_code"] == row.county_code) & truth["grp"].isin(groups)]
        true = population[column].isin(yes).mean() if isinstance(yes, tuple) else (population[column] == yes).mean()
        assert row.low <= true <= row.high, (row.county_code, row.estimate, row.low, true, row.high)
        assert row.low < row.share < row.high or row.share in (0, 1)


def test_the_survey_sheets_are_checked_every_problem_at_once(city, tmp_path):
    store, frame, truth, _ = city
    drawn = draw_sample(frame, 40, 3)
    paths = filled_survey(survey_sheets(drawn, store.rosters(), store.current("pairings")), truth, tmp_path)
    sheet = pd.read_excel(paths[0], dtype=str)
    poor = sheet.index[sheet["类别"] == "贫困户"][0]
    party = sheet.index[sheet["类别"] == "党员户"][0]
    sheet.loc[poor, "识别准确"] = None
    sheet.loc[party, "退出准确"] = "是"
    sheet.loc[party + 1 if party + 1 != poor else party + 2, "满意度"] = "maybe"  # unreadable: said with the rest, at once
    sheet.loc[len(sheet)] = sheet.loc[0]  # the same household twice
    sheet.loc[len(sheet)] = sheet.loc[1].copy()
    sheet.loc[len(sheet) - 1, "户编号"] = "NOT-IN-SAMPLE"
    sheet.to_excel(paths[0], index=False)
    with pytest.raises(SurveyError) as raised:
        read_survey(paths, drawn)
    codes = sorted(p.code for p in raised.value.errors)
    assert codes == ["duplicate_key", "out_of_range", "required_value_missing", "sample_household_unknown",
                     "value_not_allowed"]
    assert all(p.row and p.file.endswith(".xlsx") for p in raised.value.errors)


def test_the_assessment_deducts_for_sampled_households_the_cadre_never_visited(city, tmp_path):
    store, frame, truth, _ = city
    drawn = draw_sample(frame, 120, 5)
    sample_id = store.save_sample("2025", 5, 120, drawn, store.latest_import("rosters"))
    paths = filled_survey(survey_sheets(drawn, store.rosters(), store.current("pairings")), truth, tmp_path)
    answers = read_survey(paths, drawn)
    store.save_answers(sample_id, answers, "survey")
    with pytest.raises(SurveyError, match="已经导入过"):
        read_survey(paths, drawn, set(store.sample_answers(sample_id)["household_id"]))
    scores = score_period(store, "2025")["scores"]
    deducted = scores[(scores["indicator"] == "sampled_unvisited") & (scores["value"] > 0)]
    never = answers[answers["visited_by_cadre"] == False].merge(store.current("pairings"), on="household_id")  # noqa: E712
    assert set(deducted["subject_id"]) == set(never["cadre_id"])
    assert (deducted["points"] == -deducted["value"]).all()
