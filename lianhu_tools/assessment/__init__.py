"""Assessment (考核): mid-year and year-end scores of cadres, units and work-team members — the indicator
system (`indicators`), the measures it names (`measures`), and runs frozen in the store with their results
(`run`)."""

from .indicators import load_indicators
from .measures import ACTIVITY_COLUMNS, MEASURES, SUBJECTS, Inputs, score, subjects
from .run import results, run_assessment

__all__ = ["ACTIVITY_COLUMNS", "Inputs", "MEASURES", "SUBJECTS", "load_indicators", "results", "run_assessment", "score",
           "subjects"]
