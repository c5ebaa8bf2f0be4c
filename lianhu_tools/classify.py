"""Household classes by the configured poverty lines, and who may be a 党员小康建设户."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .policy import Policy, default_policy
from .schema import HOUSEHOLD_CLASSES

ABSOLUTE_POOR, LOW_INCOME, NOT_POOR = HOUSEHOLD_CLASSES


def classify_households(households: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """The households with three columns added.

    - `household_class`: 绝对贫困户 (income below the absolute line), 低收入户 (below the low-income
      line), else 非贫困户. A household exactly on a line is above it.
    - `is_poor`: one of the first two classes.
    - `is_party_household_candidate`: a party-member household that may be linked as a
      党员小康建设户 (by default it must not be poor: such households need an economic base).
    """
    policy = policy or default_policy()
    income = households["income_per_capita_yuan"].to_numpy(dtype=float)
    classes = np.select([income < policy.absolute_line_yuan, income < policy.low_income_line_yuan],
                        [ABSOLUTE_POOR, LOW_INCOME], NOT_POOR)
    out = households.copy()
    out["household_class"] = pd.Categorical(classes, categories=HOUSEHOLD_CLASSES)
    out["is_poor"] = classes != NOT_POOR
    candidate = households["is_party_member"].to_numpy(dtype=bool)
    if policy.party_households_must_be_non_poor:
        candidate = candidate & ~out["is_poor"].to_numpy()
    out["is_party_household_candidate"] = candidate
    return out
