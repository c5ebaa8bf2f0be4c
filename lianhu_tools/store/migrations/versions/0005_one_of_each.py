"""Version 5: the database itself refuses what two writers at once could once store: identical records
twice, and a household with two open pairings. Copies made before are removed (records) or ended
(pairings), each counted in the audit log. And the people who may write, with their role and area."""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

REASON = "两名规划员同时采纳留下的重复结对 / a copy left by two planners accepting at once"


def upgrade() -> None:
    conn = op.get_bind()
    at = datetime.now(timezone.utc).replace(tzinfo=None)
    copies = conn.execute(sa.text(
        "SELECT id FROM activities a WHERE fingerprint IS NOT NULL AND EXISTS (SELECT 1 FROM activities b "
        "WHERE b.fingerprint = a.fingerprint AND b.id < a.id)")).scalars().all()
    for k in range(0, len(copies), 5000):
        conn.execute(sa.text("DELETE FROM activities WHERE id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)), {"ids": copies[k:k + 5000]})
    doubled = conn.execute(sa.text(
        "SELECT id, status FROM pairings p WHERE status != 'ended' AND EXISTS (SELECT 1 FROM pairings q "
        "WHERE q.household_id = p.household_id AND q.status != 'ended' AND q.id < p.id)")).all()
    for pairing_id, status in doubled:
        conn.execute(sa.text("UPDATE pairings SET status = 'ended', reason = :reason WHERE id = :id"),
                     {"reason": REASON, "id": pairing_id})
        conn.execute(sa.text("INSERT INTO status_history (entity, entity_id, at, old_status, new_status, reason) "
                             "VALUES ('pairings', :id, :at, :old, 'ended', :reason)"),
                     {"id": pairing_id, "at": at, "old": status, "reason": REASON})
    if copies or doubled:
        conn.execute(sa.text("INSERT INTO audit_log (at, who, action, entity, entity_id, old_value, new_value) VALUES "
                             "(:at, 'upgrade', 'repair', 'store', NULL, NULL, :what)"),
                     {"at": at, "what": f'{{"identical_records_removed": {len(copies)}, "pairings_ended": {len(doubled)}}}'})
    op.drop_index("activities_fingerprint", "activities")
    op.create_index("activities_fingerprint", "activities", ["fingerprint"], unique=True)
    op.create_index("pairings_one_open_per_household", "pairings", ["household_id"], unique=True,
                    sqlite_where=sa.text("status != 'ended'"), postgresql_where=sa.text("status != 'ended'"))
    op.create_table(
        "users",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.Enum("planner", "county", "leader", "auditor", name="role", native_enum=False),
                  nullable=False),
        sa.Column("area", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
