"""Version 7: what each new roster changed, and the steps each change went through (核查 → 评议 → 公示 → 审批); the
early warnings (防返贫监测), each open until a visit clears it."""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "roster_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("received", sa.Integer(), sa.ForeignKey("imports.import_id"), nullable=False),
        sa.Column("base", sa.Integer(), sa.ForeignKey("imports.import_id"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("subject_kind", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("county_code", sa.String(), nullable=True),
        sa.Column("village_code", sa.String(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("evidence_zh", sa.String(), nullable=True),
        sa.Column("evidence_en", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("step", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index(op.f("ix_roster_changes_received"), "roster_changes", ["received"], unique=False)
    op.create_index(op.f("ix_roster_changes_subject_id"), "roster_changes", ["subject_id"], unique=False)
    op.create_table(
        "change_steps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("change_id", sa.Integer(), sa.ForeignKey("roster_changes.id"), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(), nullable=False),
    )
    op.create_index(op.f("ix_change_steps_change_id"), "change_steps", ["change_id"], unique=False)
    op.create_table(
        "warnings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("household_id", sa.String(), nullable=False),
        sa.Column("village_code", sa.String(), nullable=True),
        sa.Column("county_code", sa.String(), nullable=True),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("reasons_zh", sa.Text(), nullable=False),
        sa.Column("reasons_en", sa.Text(), nullable=False),
        sa.Column("cadre_id", sa.String(), nullable=True),
        sa.Column("flagged_on", sa.Date(), nullable=False),
        sa.Column("cleared_on", sa.Date(), nullable=True),
    )
    op.create_index(op.f("ix_warnings_period"), "warnings", ["period"], unique=False)
    op.create_index(op.f("ix_warnings_household_id"), "warnings", ["household_id"], unique=False)
