"""Work-team rotation (工作队员, every half year): who serves in each linked village, period by period.

Rules, per unit and village:
- a team has the policy's minimum size for the unit's kind (up to its maximum when asked);
- `handover` members of the last team stay one more term to hand over; nobody else serves the same
  village two terms running, and nobody serves it three terms running;
- a cadre serves one village at a time; retired cadres do not serve;
- service is spread fairly: those who served least so far go first (then by cadre number).
A unit without enough cadres is reported for each period, with how many it lacks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..periods import halves_from
from ..policy import Policy, default_policy
from ..rosters import Rosters
from .problem import check_links

ROLE_LEADER, ROLE_HANDOVER, ROLE_MEMBER = "队长", "交接队员", "队员"


@dataclass
class Rotation:
    schedule: pd.DataFrame  # period, unit_id, village_code, cadre_id, cadre_name, role, carried_over
    shortages: pd.DataFrame  # period, unit_id, village_code, needed, assigned, reason_zh, reason_en


def rotate_teams(rosters: Rosters, links: pd.DataFrame, first_period: str, count: int,
                 policy: Policy | None = None, handover: int = 1) -> Rotation:
    """The work teams of every linked village for `count` half-year periods from `first_period`
    (e.g. "2025H1"), under the rules above; a period a village cannot be staffed is in `shortages`."""
    policy = policy or default_policy()
    check_links(links, rosters)
    team_min = pd.DataFrame(policy.team_size).T["min"]
    units = rosters.units.set_index("unit_id")
    cadres = rosters.cadres[~rosters.cadres["is_retired"]].sort_values("cadre_id")
    names = dict(zip(cadres["cadre_id"], cadres["name"]))
    staff_of = {unit: list(ids) for unit, ids in cadres.groupby("unit_id", sort=False)["cadre_id"]}  # by cadre_id
    rows, short = [], []
    for unit_id, unit_links in links.sort_values("village_code").groupby("unit_id", sort=True):
        size = int(team_min[units.loc[unit_id, "unit_kind"]])
        staff = staff_of.get(unit_id, [])
        served = dict.fromkeys(staff, 0)
        last: dict[str, list[str]] = {}  # village -> last team
        streak: dict[tuple[str, str], int] = {}  # (cadre, village) -> consecutive terms
        for period in halves_from(first_period, count):
            stays = {v: [c for c in last.get(v, []) if streak.get((c, v), 0) == 1][:handover]
                     for v in unit_links["village_code"]}  # handover members are kept first
            busy: set[str] = {c for team in stays.values() for c in team}
            current: dict[str, list[str]] = {}
            for village in unit_links["village_code"]:
                stay, barred = stays[village], set(last.get(village, []))
                pool = sorted((c for c in staff if c not in busy and c not in barred), key=lambda c: (served[c], c))
                team = stay + pool[:max(size - len(stay), 0)]
                busy.update(team)
                current[village] = team
                for k, cadre in enumerate(team):
                    role = ROLE_HANDOVER if cadre in stay else ROLE_LEADER if k == len(stay) else ROLE_MEMBER
                    rows.append((period, unit_id, village, cadre, names[cadre], role, cadre in stay))
                if len(team) < size:
                    short.append((period, unit_id, village, size, len(team),
                                  f"单位可派干部 {len(staff)} 人，本期需 {size * len(unit_links)} 人，缺 {size - len(team)} 人",
                                  f"the unit has {len(staff)} cadres who can serve; this village lacks {size - len(team)}"))
            for village, team in current.items():
                for cadre in team:
                    served[cadre] += 1
                    streak[cadre, village] = streak.get((cadre, village), 0) + 1
                for cadre in last.get(village, []):
                    if cadre not in team:
                        streak[cadre, village] = 0
            last = current
    schedule = pd.DataFrame(rows, columns=["period", "unit_id", "village_code", "cadre_id", "cadre_name", "role",
                                           "carried_over"])
    shortages = pd.DataFrame(short, columns=["period", "unit_id", "village_code", "needed", "assigned", "reason_zh",
                                             "reason_en"])
    return Rotation(schedule, shortages)
