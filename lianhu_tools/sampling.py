"""抽样核查 — the sampled third-party check (三率一度): a reproducible stratified sample of each county's households
(strata: township × poor, exited or party household; allocated in proportion, so that every household of a county
has the same chance), the survey sheets to fill, the filled sheets read back (checked like every input), and per
county the estimates — identification accuracy, exit accuracy, satisfaction, visits by the linked cadre — with
Wilson confidence intervals (statsmodels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from .classify import classify_households
from .errors import InputError, Problem
from .policy import Policy
from .rosters import Rosters
from .schema import SURVEY, SURVEY_TABLES
from .tables import Report, final_frame, locate, read_tables

GROUPS = {"poor": "贫困户", "exited": "脱贫户", "party": "党员户"}
ESTIMATES = {  # what is estimated: (answer column, the groups asked, what counts as yes, 中文, English)
    "identification": ("identified_correctly", ("poor",), True, "识别准确率", "identification accuracy"),
    "exit": ("exit_correct", ("exited",), True, "退出准确率", "exit accuracy"),
    "satisfaction": ("satisfaction", tuple(GROUPS), ("满意", "基本满意"), "群众满意度", "satisfaction"),
    "visited": ("visited_by_cadre", tuple(GROUPS), True, "联系干部走访率", "visited by the linked cadre"),
}
CONFIDENCE = 0.95
SHEET_INFO = ("head_name", "township_name", "village_name", "group", "cadre_name")  # filled in on the sheet


class SurveyError(InputError):
    """Survey sheets rejected; nothing was stored."""


def sampling_frame(rosters: Rosters, policy: Policy, exited: set[str]) -> pd.DataFrame:
    """Every household that may be drawn, with its county, township and group: exited (an approved exit), poor, or
    a party-member household."""
    households = classify_households(rosters.households, policy)
    places = rosters.villages.set_index("village_code")
    group = np.where(households["household_id"].isin(exited), "exited",
                     np.where(households["is_poor"], "poor", np.where(households["is_party_member"], "party", "")))
    frame = pd.DataFrame({"household_id": households["household_id"], "village_code": households["village_code"],
                          "county_code": households["village_code"].map(places["county_code"]),
                          "township_code": households["village_code"].map(places["township_code"]), "grp": group})
    return frame[frame["grp"] != ""].reset_index(drop=True)


def draw_sample(frame: pd.DataFrame, per_county: int, seed: int) -> pd.DataFrame:
    """`per_county` households of each county (all, where it has fewer), stratified by township and group with
    proportional allocation (largest remainders), drawn with numpy's generator seeded by `seed` and the county:
    the same seed draws the same households."""
    drawn = []
    for county, rows in frame.groupby("county_code", sort=True):
        rng = np.random.default_rng([seed, int(county)])
        sizes = rows.groupby(["township_code", "grp"]).size()
        take = _largest_remainder(sizes.to_numpy() * min(per_county, len(rows)) / len(rows))
        for (township, group), n, size in zip(sizes.index, take, sizes.to_numpy()):
            stratum = rows[(rows["township_code"] == township) & (rows["grp"] == group)].sort_values("household_id")
            chosen = stratum.iloc[np.sort(rng.choice(len(stratum), size=n, replace=False))] if n else stratum.iloc[:0]
            drawn.append(chosen.assign(stratum_households=int(size), stratum_sampled=int(n)))
    return pd.concat(drawn, ignore_index=True) if drawn else frame.iloc[:0].assign(stratum_households=0, stratum_sampled=0)


def _largest_remainder(quotas: np.ndarray) -> np.ndarray:
    whole = np.floor(quotas).astype(int)
    short = int(round(quotas.sum())) - whole.sum()
    whole[np.argsort(-(quotas - whole), kind="stable")[:short]] += 1
    return whole


def survey_sheets(sample: pd.DataFrame, rosters: Rosters, pairs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per county: the sheet its surveyors fill, one row per sampled household — its number, head, village, group and
    cadre filled in, the answers blank (the headers `SURVEY` reads back)."""
    heads = rosters.households.set_index("household_id")["head_name"]
    places = rosters.villages.set_index("village_code")
    cadres = pairs.drop_duplicates("household_id").set_index("household_id")["cadre_id"].map(
        rosters.cadres.set_index("cadre_id")["name"])
    answers = {field.zh: "" for field in SURVEY.fields if field.name not in ("household_id", *SHEET_INFO)}
    sheets = {}
    for county, rows in sample.groupby("county_code", sort=True):
        sheets[county] = pd.DataFrame({
            SURVEY.field("household_id").zh: rows["household_id"].to_numpy(),
            "户主姓名": rows["household_id"].map(heads).to_numpy(),
            "乡镇": rows["village_code"].map(places["township_name"]).to_numpy(),
            "村": rows["village_code"].map(places["village_name"]).to_numpy(),
            "类别": rows["grp"].map(GROUPS).to_numpy(),
            "联系干部": rows["household_id"].map(cadres).fillna("").to_numpy(), **answers})
    return sheets


def read_survey(paths: list[str | Path], sample: pd.DataFrame, answered: set[str] = frozenset()) -> pd.DataFrame:
    """The filled sheets, checked — every household one of the sample's, once, and not `answered` before;
    identification answered for the poor, exit for the exited, and only for them — or SurveyError listing every
    problem."""
    report = Report()
    frames, parts, _ = read_tables(paths, SURVEY_TABLES, ("survey",), report)
    raw = frames.get("survey")
    if raw is None:
        raise SurveyError(report.problems or [Problem.about("missing_table", "没有找到抽查表", "no survey sheet found")])
    unreadable = any(p.severity == "error" for p in report.problems)  # some cells: what the rows say is checked all the same
    answers = raw[SURVEY.columns] if unreadable else final_frame(raw, SURVEY)
    group = answers["household_id"].map(sample.set_index("household_id")["grp"])
    checks = [
        (group.isna(), "household_id", "sample_household_unknown", "此户不在本次抽样中", "not a household of this sample"),
        (answers["household_id"].duplicated(keep="first"), "household_id", "duplicate_key", "同一户填了两次",
         "the same household twice"),
        (answers["household_id"].isin(answered), "household_id", "already_imported", "此户的答卷已经导入过",
         "this household's answers were imported before"),
        ((group == "poor") & answers["identified_correctly"].isna(), "identified_correctly", "required_value_missing",
         "贫困户须填“识别准确”", "a poor household needs identified_correctly"),
        ((group == "exited") & answers["exit_correct"].isna(), "exit_correct", "required_value_missing",
         "脱贫户须填“退出准确”", "an exited household needs exit_correct"),
        ((group != "poor") & group.notna() & answers["identified_correctly"].notna(), "identified_correctly",
         "out_of_range", "只有贫困户填“识别准确”", "identified_correctly is for poor households only"),
        ((group != "exited") & group.notna() & answers["exit_correct"].notna(), "exit_correct", "out_of_range",
         "只有脱贫户填“退出准确”", "exit_correct is for exited households only"),
    ]
    bad = {(p.row, p.file, p.sheet) for p in report.problems if p.severity == "error"}
    for wrong, column, code, zh, en in checks:
        located = locate(raw[wrong.to_numpy()], parts)
        if column != "household_id":  # a blank answer that was only unreadable is said once, as unreadable
            located = located[np.array([(int(r), parts[k].file, parts[k].sheet) not in bad
                                        for r, k in zip(located["_row"], located["_part"])], dtype=bool)]
        report.located(located, parts, column, code, zh, en)
    if any(p.severity == "error" for p in report.problems):
        raise SurveyError(sorted(report.problems, key=lambda p: (p.file, p.sheet or "", p.row or 0)))
    return answers


def estimates(sample: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """Per county and estimate: households asked, yes, the share and its 95 % Wilson interval."""
    rows = []
    joined = answers.merge(sample[["household_id", "county_code", "grp"]], on="household_id")
    for county, mine in joined.groupby("county_code", sort=True):
        for name, (column, groups, yes, zh, en) in ESTIMATES.items():
            asked = mine[mine["grp"].isin(groups) & mine[column].notna()]
            hits = int(asked[column].isin(yes).sum() if isinstance(yes, tuple) else (asked[column] == yes).sum())
            low, high = proportion_confint(hits, len(asked), alpha=1 - CONFIDENCE, method="wilson") if len(asked) else (np.nan, np.nan)
            rows.append({"county_code": county, "estimate": name, "label": zh, "asked": len(asked), "yes": hits,
                         "share": hits / len(asked) if len(asked) else np.nan, "low": low, "high": high})
    return pd.DataFrame(rows)
