"""联村联户 workbench: rosters in, every problem reported, households classified (pairing, plans,
archives and assessment build on these).

    from lianhu_tools import load_rosters, classify_households, county_summary
    rosters = load_rosters("rosters/")          # RosterError(problems) if anything is wrong
"""

from .classify import classify_households
from .errors import InputError, Problem, RosterError, RosterWarning, problems_frame
from .policy import Policy, default_policy, load_policy
from .rosters import Rosters, load_rosters, validate_paths
from .summary import county_summary
from .tables import write_problem_workbook

__all__ = [
    "InputError", "Policy", "Problem", "RosterError", "RosterWarning", "Rosters", "classify_households", "county_summary",
    "default_policy", "load_policy", "load_rosters", "problems_frame", "validate_paths", "write_problem_workbook",
]
