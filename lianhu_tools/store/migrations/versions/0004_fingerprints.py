"""Version 4: records carry a fingerprint of their content; a digest of files is imported once."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("activities", sa.Column("fingerprint", sa.BigInteger))
    op.create_index("activities_fingerprint", "activities", ["fingerprint"])
    op.drop_index("ix_imports_digest", "imports")
    op.create_index("imports_digest", "imports", ["digest"], unique=True)
