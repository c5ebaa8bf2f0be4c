"""Who does what in the workbench: stable role codes with their Chinese and English labels. In the hub
(`lianhu hub`) a person's role is the JupyterHub group of that name, exactly one; the store reads the role a
server was started with from LIANHU_ROLE."""

from __future__ import annotations

ROLES: dict[str, tuple[str, str]] = {
    "planner": ("市级规划员", "city planner"),
    "county": ("县区录入员", "county office"),
    "leader": ("领导", "leader"),
    "auditor": ("审计", "auditor"),
}


def role_label(code: str) -> str:
    """“领导 / leader”."""
    zh, en = ROLES[code]
    return f"{zh} / {en}"
