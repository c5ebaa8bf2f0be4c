"""Version 5: the database itself refuses what two writers at once could once store: identical records
twice, and a household with two open pairings. Identical records within one import are told apart by their
count (as `fingerprints` does now); copies in a later import, which only two writers at once could store, are
removed, and second open pairings ended, each counted in the audit log. And the people who may write."""

from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

REASON = "两名规划员同时采纳留下的重复结对 / a copy left by two planners accepting at once"


def upgrade() -> None:
    from lianhu_tools.store.store import repeated  # how repeats in one file are fingerprinted

    conn = op.get_bind()
    at = datetime.now(timezone.utc).replace(tzinfo=None)
    same = pd.read_sql(sa.text(
        "SELECT id, import_id, fingerprint FROM activities a WHERE fingerprint IN (SELECT fingerprint FROM activities "
        "WHERE fingerprint IS NOT NULL GROUP BY fingerprint HAVING count(*) > 1) ORDER BY id"), conn)
    first_import = same.groupby("fingerprint")["import_id"].transform("min")
    copies = same.loc[same["import_id"] != first_import, "id"].tolist()
    kept = same[same["import_id"] == first_import]
    renumbered = kept.assign(fingerprint=repeated(kept["fingerprint"].to_numpy(),
                                                  kept.groupby("fingerprint").cumcount().to_numpy()))
    for row in renumbered[renumbered["fingerprint"] != kept["fingerprint"]].itertuples():
        conn.execute(sa.text("UPDATE activities SET fingerprint = :f WHERE id = :id"), {"f": int(row.fingerprint), "id": row.id})
    for k in range(0, len(copies), 5000):
        conn.execute(sa.text("DELETE FROM activities WHERE id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)), {"ids": copies[k:k + 5000]})
    for import_id, removed in same[same["id"].isin(copies)].groupby("import_id").size().items():  # what each import holds
        conn.execute(sa.text("UPDATE imports SET rows = rows - :n WHERE import_id = :i"), {"n": int(removed), "i": int(import_id)})
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
