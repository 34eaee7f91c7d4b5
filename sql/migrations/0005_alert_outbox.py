"""The alert outbox: a delivery is claimed before it is sent.

Revision ID: 0005
Revises: 0004

A sender inserts (event_key, channel) here before sending and logs the delivery in alert_log after;
a failed send deletes its claim. Two senders at once cannot both claim one delivery (the
primary key), and a claim left by a sender that died is taken over after a lease.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_outbox",
        sa.Column("event_key", sa.VARCHAR(300), primary_key=True),
        sa.Column("channel", sa.VARCHAR(32), primary_key=True),
        sa.Column("message_id", sa.VARCHAR(400), nullable=False),
        sa.Column("claimed_at", sa.TIMESTAMP(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("alert_outbox")
