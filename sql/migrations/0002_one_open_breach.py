"""At most one open tracked breach per contract and commitment.

Revision ID: 0002
Revises: 0001

The breach lifecycle opens a breach with INSERT ... ON CONFLICT DO NOTHING on this index, so two runs
syncing breaches at once cannot both open the same one. Rows that already broke the rule (from such a
race, before this index) are copies of the same open breach: the oldest stays, the copies go.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN = sa.text("resolved_at IS NULL")


def upgrade() -> None:
    op.execute(
        "DELETE FROM breaches WHERE resolved_at IS NULL AND breach_id NOT IN ("
        " SELECT MIN(breach_id) FROM breaches WHERE resolved_at IS NULL GROUP BY contract_ref, commitment)"
    )
    op.create_index(
        "breaches_one_open",
        "breaches",
        ["contract_ref", "commitment"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("breaches_one_open", table_name="breaches")
