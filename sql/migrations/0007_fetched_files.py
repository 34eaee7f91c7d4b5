"""The ledger of files fetched from landing sources (SFTP, IMAP, folders).

Revision ID: 0007
Revises: 0006

A file is fetched once per (source, identity at the source), and a content fetched from anywhere is
landed once. A rejected attachment (not a CSV or XLSX) is recorded with its reason so it is not
looked at again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetched_files",
        sa.Column("source", sa.VARCHAR(400), nullable=False),
        sa.Column("source_id", sa.VARCHAR(1000), nullable=False),
        sa.Column("content_sha256", sa.CHAR(64)),
        sa.Column("label", sa.VARCHAR(200), nullable=False),
        sa.Column("received_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("outcome", sa.VARCHAR(16), nullable=False),
        sa.Column("landed_as", sa.VARCHAR(200)),
        sa.Column("reason", sa.TEXT),
        sa.PrimaryKeyConstraint("source", "source_id", name="fetched_files_pkey"),
    )
    op.create_index("fetched_files_content", "fetched_files", ["content_sha256"])


def downgrade() -> None:
    op.drop_index("fetched_files_content", table_name="fetched_files")
    op.drop_table("fetched_files")
