"""Returns as suppliers send them: what the supplier was told without a rejection is kept.

Revision ID: 0003
Revises: 0002

`submissions.warnings` holds the notes a submission was accepted (or rejected) with: columns outside
the template that were ignored, columns that look like personal data, values read from UK forms
("3 dates read as day/month/year"). Header names and counts only, never a cell value.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("warnings", sa.TEXT()))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("warnings")
