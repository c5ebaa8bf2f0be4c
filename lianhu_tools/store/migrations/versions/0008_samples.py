"""Version 8: sampled checks (抽样核查): each sample drawn, its households with their strata, and the answers."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "samples",
        sa.Column("sample_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("per_county", sa.Integer(), nullable=False),
        sa.Column("roster_import", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(), nullable=False),
    )
    op.create_table(
        "sample_households",
        sa.Column("sample_id", sa.Integer(), sa.ForeignKey("samples.sample_id"), nullable=False),
        sa.Column("household_id", sa.String(), nullable=False),
        sa.Column("county_code", sa.String(), nullable=False),
        sa.Column("township_code", sa.String(), nullable=False),
        sa.Column("village_code", sa.String(), nullable=False),
        sa.Column("grp", sa.String(), nullable=False),
        sa.Column("stratum_households", sa.Integer(), nullable=False),
        sa.Column("stratum_sampled", sa.Integer(), nullable=False),
        sa.UniqueConstraint("sample_id", "household_id"),
    )
    op.create_index(op.f("ix_sample_households_sample_id"), "sample_households", ["sample_id"], unique=False)
    op.create_table(
        "sample_answers",
        sa.Column("sample_id", sa.Integer(), sa.ForeignKey("samples.sample_id"), nullable=False),
        sa.Column("household_id", sa.String(), nullable=False),
        sa.Column("identified_correctly", sa.Boolean(), nullable=True),
        sa.Column("exit_correct", sa.Boolean(), nullable=True),
        sa.Column("satisfaction", sa.String(), nullable=False),
        sa.Column("visited_by_cadre", sa.Boolean(), nullable=False),
        sa.Column("surveyor", sa.String(), nullable=True),
        sa.Column("survey_date", sa.Date(), nullable=True),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.import_id"), nullable=False),
        sa.UniqueConstraint("sample_id", "household_id"),
    )
    op.create_index(op.f("ix_sample_answers_sample_id"), "sample_answers", ["sample_id"], unique=False)
