"""Version 3: three-year plans, versioned by import."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:

    op.create_table('plans',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('term_start', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.String(), nullable=True),
    sa.Column('subject_id', sa.String(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('task', sa.String(), nullable=True),
    sa.Column('measure', sa.String(), nullable=True),
    sa.Column('baseline_income_yuan', sa.Float(), nullable=True),
    sa.Column('income_target_yuan', sa.Float(), nullable=True),
    sa.Column('funds_yuan', sa.Float(), nullable=True),
    sa.Column('projects', sa.Integer(), nullable=True),
    sa.Column('people_trained', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['imports.import_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_plans_import_id'), 'plans', ['import_id'], unique=False)
    op.create_index('plans_subject', 'plans', ['subject_kind', 'subject_id'], unique=False)
