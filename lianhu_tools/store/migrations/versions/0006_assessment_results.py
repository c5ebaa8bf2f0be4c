"""Version 6: each assessment's results (`assessment.ranked`: names, totals, grades, ranks) kept with its scores,
what the dashboard reads instead of ranking every run again in every viewer's kernel; the runs already
stored are ranked once here. And meta's `written`, which every write changes: how a dashboard tells the store
was written since it read it."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    from lianhu_tools.store.store import _assessment, write_results

    op.create_table(
        "assessment_results",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("unit_name", sa.String(), nullable=True),
        sa.Column("county_name", sa.String(), nullable=True),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(), nullable=False),
        sa.Column("rank_city", sa.Integer(), nullable=False),
        sa.Column("tied_city", sa.Boolean(), nullable=False),
        sa.Column("rank_county", sa.Integer(), nullable=True),
        sa.Column("tied_county", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.assessment_id"]),
    )
    op.create_index(op.f("ix_assessment_results_assessment_id"), "assessment_results", ["assessment_id"], unique=False)
    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO meta (key, value) VALUES ('written', 'upgraded')"))  # every write changes it
    for (assessment_id,) in conn.execute(sa.text("SELECT assessment_id FROM assessments ORDER BY assessment_id")).all():
        write_results(conn, assessment_id, _assessment(conn, assessment_id))
