"""The store's tables: roster snapshots (one per import), work records, links and pairings with their
status history, work teams, plans (versioned), assessments with their scores and adjustments, the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from ..roles import ROLES
from ..schema import ACTIVITIES, PLANS, TABLES, Table

SQL_TYPES = {"int": sa.Integer, "float": sa.Float, "lat": sa.Float, "lon": sa.Float, "bool": sa.Boolean,
             "date": sa.Date}

metadata = sa.MetaData()

meta = sa.Table("meta", metadata, sa.Column("key", sa.String, primary_key=True), sa.Column("value", sa.String))

imports = sa.Table(
    "imports", metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String, nullable=False),  # rosters, activities, links, pairings, teams
    sa.Column("source", sa.String, nullable=False),  # the files, as given
    sa.Column("digest", sa.String),  # sha256 of the files' bytes: the same files are not imported twice
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", sa.String, nullable=False),
    sa.Index("imports_digest", "digest", unique=True),
)


def _columns_of(table: Table) -> list[sa.Column]:
    return [sa.Column(f.name, SQL_TYPES.get(f.kind, sa.String)) for f in table.fields]


def _snapshot_table(table: Table) -> sa.Table:
    """One roster, every import kept (a versioned snapshot per import)."""
    return sa.Table(f"roster_{table.name}", metadata,
                    sa.Column("import_id", sa.ForeignKey("imports.import_id"), nullable=False, index=True),
                    *_columns_of(table))


roster_tables = {name: _snapshot_table(table) for name, table in TABLES.items()}

activities = sa.Table(
    "activities", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.ForeignKey("imports.import_id"), nullable=False),
    *_columns_of(ACTIVITIES),
    sa.Column("period", sa.String, nullable=False, index=True),  # 2025H1, 2025H2
    sa.Column("village_code", sa.String, nullable=False, index=True),  # where the work was: four-level roll-ups
    sa.Column("fingerprint", sa.BigInteger),  # of the record's content: the same record is not imported twice
    sa.UniqueConstraint("record_id"),
    sa.Index("activities_fingerprint", "fingerprint", unique=True),
)

FINGERPRINTED = ["date", "actor_kind", "actor_id", "target_kind", "target_id", "task", "kind", "quantity", "days"]

STATUSES = ("proposed", "confirmed", "locked", "ended")

links_table = sa.Table(
    "links", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("unit_id", sa.String, nullable=False, index=True),
    sa.Column("village_code", sa.String, nullable=False, index=True),
    sa.Column("term_start", sa.Integer, nullable=False),  # first year of the 3-year term
    sa.Column("status", sa.Enum(*STATUSES, native_enum=False), nullable=False),
    sa.Column("reason", sa.String),
)

pairings = sa.Table(
    "pairings", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("cadre_id", sa.String, nullable=False, index=True),
    sa.Column("household_id", sa.String, nullable=False, index=True),
    sa.Column("unit_id", sa.String),
    sa.Column("pool", sa.String),
    sa.Column("term_start", sa.Integer, nullable=False),
    sa.Column("status", sa.Enum(*STATUSES, native_enum=False), nullable=False),
    sa.Column("reason", sa.String),
    sa.Index("pairings_one_open_per_household", "household_id", unique=True,  # one household, one cadre
             sqlite_where=sa.text("status != 'ended'"), postgresql_where=sa.text("status != 'ended'")),
)

status_history = sa.Table(
    "status_history", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("entity", sa.String, nullable=False),  # links or pairings
    sa.Column("entity_id", sa.Integer, nullable=False, index=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("old_status", sa.String),
    sa.Column("new_status", sa.String, nullable=False),
    sa.Column("reason", sa.String),
)

team_assignments = sa.Table(
    "team_assignments", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String, nullable=False, index=True),
    sa.Column("unit_id", sa.String, nullable=False),
    sa.Column("village_code", sa.String, nullable=False),
    sa.Column("cadre_id", sa.String, nullable=False),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", sa.String, nullable=False),
    sa.Column("action", sa.String, nullable=False),
    sa.Column("entity", sa.String, nullable=False),
    sa.Column("entity_id", sa.String),
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),
)

assessments = sa.Table(
    "assessments", metadata,
    sa.Column("assessment_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String, nullable=False),  # 2025H1 (mid-year) or 2025 (year-end)
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", sa.String, nullable=False),
    sa.Column("indicators", sa.Text, nullable=False),  # the indicator system used, as JSON
    sa.Column("frozen", sa.Text, nullable=False),  # pairings, links and teams as they were, as JSON
)

assessment_scores = sa.Table(
    "assessment_scores", metadata,
    sa.Column("assessment_id", sa.ForeignKey("assessments.assessment_id"), nullable=False, index=True),
    sa.Column("subject_kind", sa.String, nullable=False),  # cadre, unit, team_member
    sa.Column("subject_id", sa.String, nullable=False),
    sa.Column("indicator", sa.String, nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("points", sa.Float, nullable=False),
)

assessment_results = sa.Table(
    "assessment_results", metadata,  # what `assessment.ranked` makes of a run's scores and adjustments, kept with them
    sa.Column("assessment_id", sa.ForeignKey("assessments.assessment_id"), nullable=False, index=True),
    sa.Column("subject_kind", sa.String, nullable=False),
    sa.Column("subject_id", sa.String, nullable=False),
    sa.Column("name", sa.String),
    sa.Column("unit_name", sa.String),
    sa.Column("county_name", sa.String),
    sa.Column("total", sa.Float, nullable=False),
    sa.Column("grade", sa.String, nullable=False),
    sa.Column("rank_city", sa.Integer, nullable=False),
    sa.Column("tied_city", sa.Boolean, nullable=False),
    sa.Column("rank_county", sa.Integer),
    sa.Column("tied_county", sa.Boolean),
)
RESULT_COLUMNS = [c.name for c in assessment_results.c if c.name not in ("assessment_id", "subject_kind")]

adjustments = sa.Table(
    "adjustments", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("assessment_id", sa.ForeignKey("assessments.assessment_id"), nullable=False, index=True),
    sa.Column("subject_kind", sa.String, nullable=False),
    sa.Column("subject_id", sa.String, nullable=False),
    sa.Column("points", sa.Float, nullable=False),
    sa.Column("reason", sa.String, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", sa.String, nullable=False),
)

plans = sa.Table(
    "plans", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.ForeignKey("imports.import_id"), nullable=False, index=True),  # the version
    sa.Column("term_start", sa.Integer, nullable=False),
    *_columns_of(PLANS),
    sa.Index("plans_subject", "subject_kind", "subject_id"),
)

users = sa.Table(
    "users", metadata,  # who may write, and where (roles.py); a store with none is one office's, its planner's
    sa.Column("name", sa.String, primary_key=True),  # the login: on PostgreSQL, the database role
    sa.Column("role", sa.Enum(*ROLES, name="role", native_enum=False), nullable=False),
    sa.Column("area", sa.String, nullable=False),  # a division-code prefix: "" the city, 620502 a county
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("added_at", sa.DateTime, nullable=False),
    sa.Column("added_by", sa.String, nullable=False),
)

roster_changes = sa.Table(
    "roster_changes", metadata,  # what a new roster changed (changes.detect), each through its steps (changes.steps)
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("received", sa.ForeignKey("imports.import_id"), nullable=False, index=True),  # the roster as sent
    sa.Column("base", sa.ForeignKey("imports.import_id"), nullable=False),  # the roster (as it counted) compared with
    sa.Column("kind", sa.String, nullable=False),  # changes.kinds
    sa.Column("subject_kind", sa.String, nullable=False),  # the roster: households, cadres, units, villages
    sa.Column("subject_id", sa.String, nullable=False, index=True),
    sa.Column("county_code", sa.String),
    sa.Column("village_code", sa.String),
    sa.Column("before", sa.Text),  # the fields concerned, as JSON (no household's ID number, phone or name)
    sa.Column("after", sa.Text),
    sa.Column("evidence_zh", sa.String),
    sa.Column("evidence_en", sa.String),
    sa.Column("state", sa.String, nullable=False),  # changes.kinds.STATES
    sa.Column("step", sa.String),  # the last step passed
    sa.Column("at", sa.DateTime, nullable=False),
)

change_steps = sa.Table(
    "change_steps", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("change_id", sa.ForeignKey("roster_changes.id"), nullable=False, index=True),
    sa.Column("step", sa.String, nullable=False),  # a step's name, or 未通过 / rejected
    sa.Column("done_on", sa.Date, nullable=False),  # the day it was done (the meeting, the notice's end)
    sa.Column("reason", sa.String, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),  # when it was recorded
    sa.Column("who", sa.String, nullable=False),
)

warnings_table = sa.Table(
    "warnings", metadata,  # 防返贫监测: a household at risk (monitoring), open until a later visit clears it
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String, nullable=False, index=True),
    sa.Column("household_id", sa.String, nullable=False, index=True),
    sa.Column("village_code", sa.String),
    sa.Column("county_code", sa.String),
    sa.Column("level", sa.String, nullable=False),  # 高, 中, 低
    sa.Column("reasons_zh", sa.Text, nullable=False),
    sa.Column("reasons_en", sa.Text, nullable=False),
    sa.Column("cadre_id", sa.String),
    sa.Column("flagged_on", sa.Date, nullable=False),
    sa.Column("cleared_on", sa.Date),  # the day of the visit that cleared it
)

samples = sa.Table(
    "samples", metadata,  # a sampled check (sampling): who drew it, how
    sa.Column("sample_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String, nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.Column("per_county", sa.Integer, nullable=False),
    sa.Column("roster_import", sa.Integer, nullable=False),  # the roster it was drawn from
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", sa.String, nullable=False),
)

sample_households = sa.Table(
    "sample_households", metadata,
    sa.Column("sample_id", sa.ForeignKey("samples.sample_id"), nullable=False, index=True),
    sa.Column("household_id", sa.String, nullable=False),
    sa.Column("county_code", sa.String, nullable=False),
    sa.Column("township_code", sa.String, nullable=False),
    sa.Column("village_code", sa.String, nullable=False),
    sa.Column("grp", sa.String, nullable=False),  # poor, exited, party
    sa.Column("stratum_households", sa.Integer, nullable=False),  # N_h
    sa.Column("stratum_sampled", sa.Integer, nullable=False),  # n_h
    sa.UniqueConstraint("sample_id", "household_id"),
)

sample_answers = sa.Table(
    "sample_answers", metadata,
    sa.Column("sample_id", sa.ForeignKey("samples.sample_id"), nullable=False, index=True),
    sa.Column("household_id", sa.String, nullable=False),
    sa.Column("identified_correctly", sa.Boolean),
    sa.Column("exit_correct", sa.Boolean),
    sa.Column("satisfaction", sa.String, nullable=False),
    sa.Column("visited_by_cadre", sa.Boolean, nullable=False),
    sa.Column("surveyor", sa.String),
    sa.Column("survey_date", sa.Date),
    sa.Column("import_id", sa.ForeignKey("imports.import_id"), nullable=False),
    sa.UniqueConstraint("sample_id", "household_id"),  # one answer per household: a sheet sent twice is refused
)
