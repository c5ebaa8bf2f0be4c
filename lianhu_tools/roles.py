"""Who may do what: the four roles of the people who use the workbench, and what each may write.

An area is a division-code prefix: "" the whole city, 620502 a county. A county office writes only its own
county's work records; leaders and auditors read and never write. The store keeps each person's role and area
(its users table); in the hub (`lianhu hub`) a person's role is also their JupyterHub group of that name."""

from __future__ import annotations

ROLES = {  # code: (中文, English)
    "planner": ("市级规划员", "city planner"),
    "county": ("县区录入员", "county office"),
    "leader": ("领导", "leader"),
    "auditor": ("审计", "auditor"),
}

WRITES = {  # what each role may write; a county office within its area only
    "planner": {"rosters", "activities", "plans", "pairings", "teams", "assessments", "adjustments", "status", "users",
                "meta", "changes", "approvals", "warnings", "samples"},
    "county": {"activities", "plans", "changes"},  # a change's steps in its county, all but the approving one
    "leader": set(),
    "auditor": set(),
}

WRITING = {  # what a write is, as its refusal says it
    "rosters": ("保存名册", "save rosters"),
    "activities": ("导入工作记录", "import work records"),
    "plans": ("导入规划", "import plans"),
    "pairings": ("采纳结对", "accept pairings"),
    "teams": ("保存工作队", "save work teams"),
    "assessments": ("保存考核", "save an assessment"),
    "adjustments": ("人工调整考核", "adjust an assessment"),
    "status": ("改变结对状态", "change a pairing's status"),
    "changes": ("办理名册变化", "pass a roster change's step"),
    "approvals": ("审批名册变化", "approve a roster change"),
    "warnings": ("保存监测预警", "save early warnings"),
    "samples": ("抽样核查", "draw a sample or store its answers"),
    "users": ("管理用户", "manage users"),
    "meta": ("记录数据库信息", "note a fact about the store"),
}


def role_label(code: str) -> str:
    """“领导 / leader”."""
    zh, en = ROLES[code]
    return f"{zh} / {en}"
