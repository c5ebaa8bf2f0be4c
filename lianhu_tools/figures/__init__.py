"""Pure functions that return plotly figures (Chinese labels; nothing fetched from the network to show them):
the look they share (`theme`), the rosters and pairings (`pairing`), the leadership dashboard (`dashboard`)."""

from .pairing import households_by_county, pairing_map, policy_comparison

__all__ = ["households_by_county", "pairing_map", "policy_comparison"]
