"""Assessment (考核): mid-year and year-end scores of cadres, units and work-team members — the indicator
system (`indicators`), the measures it names (`measures`), and runs frozen in the store with their results
(`run`)."""

from .indicators import load_indicators
from .measures import ACTIVITY_COLUMNS, MEASURES, SUBJECTS, Inputs, score, subjects
from .run import ranked, results, run_assessment, save_scored, score_period

__all__ = ["ACTIVITY_COLUMNS", "Inputs", "MEASURES", "SUBJECTS", "load_indicators", "ranked", "results", "run_assessment",
           "save_scored", "score", "score_period", "subjects"]
