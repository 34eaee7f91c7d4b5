"""The supplier portal's accounts, tokens, sign-in throttle, audit log and uploads (issue 13).

Revision ID: 0006
Revises: 0005

portal_users: who signs in (supplier users belong to one supplier), with an argon2id hash only.
portal_tokens: API tokens and one-time sign-in links, by SHA-256 only. portal_sign_in_failures: the
throttle's failed attempts per key and window. portal_audit_log: who did what, when, to what (never
file contents). portal_uploads / portal_upload_submissions: returns handed in through the portal and
the submissions (by content SHA-256) each held, joined to v_submissions.file_sha256.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.TIMESTAMP(timezone=True)
BOOL = sa.Boolean(create_constraint=False)
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _auto_id(name: str) -> sa.Column:
    return sa.Column(name, AUTO_ID, sa.Identity(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "portal_users",
        _auto_id("user_id"),
        sa.Column("email", sa.VARCHAR(320), nullable=False),
        sa.Column("role", sa.VARCHAR(32), nullable=False),
        sa.Column("supplier_id", sa.VARCHAR(64)),
        sa.Column("password_hash", sa.VARCHAR(200)),
        sa.Column("disabled", BOOL, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="portal_users_pkey"),
        sa.CheckConstraint("role IN ('supplier', 'contract_manager', 'admin')", name="portal_users_role"),
        sa.CheckConstraint("role <> 'supplier' OR supplier_id IS NOT NULL", name="portal_users_supplier"),
        sqlite_autoincrement=True,
    )
    op.create_index("portal_users_email", "portal_users", ["email"], unique=True)
    op.create_table(
        "portal_tokens",
        sa.Column("token_sha256", sa.CHAR(64), nullable=False),
        sa.Column("user_id", sa.INTEGER(), nullable=False),
        sa.Column("purpose", sa.VARCHAR(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS),
        sa.PrimaryKeyConstraint("token_sha256", name="portal_tokens_pkey"),
        sa.ForeignKeyConstraint(["user_id"], ["portal_users.user_id"], name="portal_tokens_user_id_fkey"),
        sa.CheckConstraint("purpose IN ('api', 'sign_in')", name="portal_tokens_purpose"),
    )
    op.create_table(
        "portal_sign_in_failures",
        sa.Column("throttle_key", sa.VARCHAR(400), nullable=False),
        sa.Column("failures", sa.INTEGER(), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.PrimaryKeyConstraint("throttle_key", name="portal_sign_in_failures_pkey"),
    )
    op.create_table(
        "portal_audit_log",
        _auto_id("audit_id"),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.VARCHAR(320)),
        sa.Column("action", sa.VARCHAR(64), nullable=False),
        sa.Column("object", sa.VARCHAR(1000)),
        sa.Column("outcome", sa.VARCHAR(32), nullable=False),
        sa.PrimaryKeyConstraint("audit_id", name="portal_audit_log_pkey"),
        sqlite_autoincrement=True,
    )
    op.create_index("portal_audit_log_at", "portal_audit_log", ["at"])
    op.create_table(
        "portal_uploads",
        _auto_id("upload_id"),
        sa.Column("user_id", sa.INTEGER(), nullable=False),
        sa.Column("supplier_id", sa.VARCHAR(64), nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
        sa.Column("file_sha256", sa.CHAR(64), nullable=False),
        sa.Column("stored_name", sa.VARCHAR(200), nullable=False),
        sa.Column("label", sa.VARCHAR(200), nullable=False),
        sa.PrimaryKeyConstraint("upload_id", name="portal_uploads_pkey"),
        sa.ForeignKeyConstraint(["user_id"], ["portal_users.user_id"], name="portal_uploads_user_id_fkey"),
        sqlite_autoincrement=True,
    )
    op.create_index("portal_uploads_supplier", "portal_uploads", ["supplier_id", "uploaded_at"])
    op.create_table(
        "portal_upload_submissions",
        sa.Column("upload_id", sa.INTEGER(), nullable=False),
        sa.Column("content_sha256", sa.CHAR(64), nullable=False),
        sa.Column("contract_ref", sa.VARCHAR(64), nullable=False),
        sa.Column("kind", sa.VARCHAR(16), nullable=False),
        sa.Column("period_start", sa.DATE(), nullable=False),
        sa.Column("period_end", sa.DATE(), nullable=False),
        sa.PrimaryKeyConstraint("upload_id", "content_sha256", name="portal_upload_submissions_pkey"),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["portal_uploads.upload_id"], name="portal_upload_submissions_upload_id_fkey"
        ),
    )
    op.create_index("portal_upload_submissions_content", "portal_upload_submissions", ["content_sha256"])


def downgrade() -> None:
    op.drop_index("portal_upload_submissions_content", table_name="portal_upload_submissions")
    op.drop_table("portal_upload_submissions")
    op.drop_index("portal_uploads_supplier", table_name="portal_uploads")
    op.drop_table("portal_uploads")
    op.drop_index("portal_audit_log_at", table_name="portal_audit_log")
    op.drop_table("portal_audit_log")
    op.drop_table("portal_sign_in_failures")
    op.drop_table("portal_tokens")
    op.drop_index("portal_users_email", table_name="portal_users")
    op.drop_table("portal_users")
