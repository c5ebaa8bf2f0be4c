"""Version 1: rosters (a snapshot per import), imports, work records, links and pairings with their history, work teams, the audit log."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('who', sa.String(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('entity', sa.String(), nullable=False),
    sa.Column('entity_id', sa.String(), nullable=True),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('imports',
    sa.Column('import_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('digest', sa.String(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('who', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('import_id')
    )
    op.create_index('ix_imports_digest', 'imports', ['digest'], unique=False)
    op.create_table('links',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('unit_id', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('term_start', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'confirmed', 'locked', 'ended', native_enum=False), nullable=False),
    sa.Column('reason', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_links_unit_id'), 'links', ['unit_id'], unique=False)
    op.create_index(op.f('ix_links_village_code'), 'links', ['village_code'], unique=False)
    op.create_table('meta',
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('value', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('pairings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('cadre_id', sa.String(), nullable=False),
    sa.Column('household_id', sa.String(), nullable=False),
    sa.Column('unit_id', sa.String(), nullable=True),
    sa.Column('pool', sa.String(), nullable=True),
    sa.Column('term_start', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'confirmed', 'locked', 'ended', native_enum=False), nullable=False),
    sa.Column('reason', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_pairings_cadre_id'), 'pairings', ['cadre_id'], unique=False)
    op.create_index(op.f('ix_pairings_household_id'), 'pairings', ['household_id'], unique=False)
    op.create_table('status_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entity', sa.String(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('old_status', sa.String(), nullable=True),
    sa.Column('new_status', sa.String(), nullable=False),
    sa.Column('reason', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_status_history_entity_id'), 'status_history', ['entity_id'], unique=False)
    op.create_table('team_assignments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period', sa.String(), nullable=False),
    sa.Column('unit_id', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('cadre_id', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_team_assignments_period'), 'team_assignments', ['period'], unique=False)
    op.create_table('activities',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.String(), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('actor_kind', sa.String(), nullable=True),
    sa.Column('actor_id', sa.String(), nullable=True),
    sa.Column('target_kind', sa.String(), nullable=True),
    sa.Column('target_id', sa.String(), nullable=True),
    sa.Column('task', sa.String(), nullable=True),
    sa.Column('kind', sa.String(), nullable=True),
    sa.Column('quantity', sa.Float(), nullable=True),
    sa.Column('days', sa.Float(), nullable=True),
    sa.Column('note', sa.String(), nullable=True),
    sa.Column('period', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.import_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_id')
    )
    op.create_index(op.f('ix_activities_period'), 'activities', ['period'], unique=False)
    op.create_index(op.f('ix_activities_village_code'), 'activities', ['village_code'], unique=False)
    op.create_table('roster_cadres',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.String(), nullable=True),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('unit_id', sa.String(), nullable=True),
    sa.Column('rank', sa.String(), nullable=True),
    sa.Column('is_leadership', sa.Boolean(), nullable=True),
    sa.Column('is_retired', sa.Boolean(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('phone', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['imports.import_id'], )
    )
    op.create_index(op.f('ix_roster_cadres_import_id'), 'roster_cadres', ['import_id'], unique=False)
    op.create_table('roster_households',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.String(), nullable=True),
    sa.Column('village_code', sa.String(), nullable=True),
    sa.Column('head_name', sa.String(), nullable=True),
    sa.Column('id_number', sa.String(), nullable=True),
    sa.Column('members', sa.Integer(), nullable=True),
    sa.Column('income_per_capita_yuan', sa.Float(), nullable=True),
    sa.Column('is_party_member', sa.Boolean(), nullable=True),
    sa.Column('poverty_cause', sa.String(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('phone', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['imports.import_id'], )
    )
    op.create_index(op.f('ix_roster_households_import_id'), 'roster_households', ['import_id'], unique=False)
    op.create_table('roster_units',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.String(), nullable=True),
    sa.Column('unit_name', sa.String(), nullable=True),
    sa.Column('unit_level', sa.String(), nullable=True),
    sa.Column('unit_kind', sa.String(), nullable=True),
    sa.Column('headcount', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('county_code', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['imports.import_id'], )
    )
    op.create_index(op.f('ix_roster_units_import_id'), 'roster_units', ['import_id'], unique=False)
    op.create_table('roster_villages',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=True),
    sa.Column('village_name', sa.String(), nullable=True),
    sa.Column('township_code', sa.String(), nullable=True),
    sa.Column('township_name', sa.String(), nullable=True),
    sa.Column('county_code', sa.String(), nullable=True),
    sa.Column('county_name', sa.String(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('is_poor_village', sa.Boolean(), nullable=True),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['imports.import_id'], )
    )
    op.create_index(op.f('ix_roster_villages_import_id'), 'roster_villages', ['import_id'], unique=False)
