"""联村联户 workbench: rosters in, every problem reported, households classified (pairing, plans,
archives and assessment build on these).

    from lianhu_tools import load_rosters, classify_households, county_summary
    rosters = load_rosters("rosters/")          # RosterError(problems) if anything is wrong
"""

from .classify import classify_households
from .policy import Policy, default_policy, load_policy
from .problems import Problem, RosterError, RosterWarning, problems_frame, write_problem_workbook
from .rosters import Rosters, load_rosters, validate_paths
from .summary import county_summary

__all__ = [
    "Policy", "Problem", "RosterError", "RosterWarning", "Rosters", "classify_households", "county_summary",
    "default_policy", "load_policy", "load_rosters", "problems_frame", "validate_paths", "write_problem_workbook",
]
