"""The reporting schema as the raw-SQL runner left it after its migrations 0001 and 0002.

Revision ID: 0001
Revises: (none)

Databases made by that runner are stamped at this revision instead of running it (see
gwp_monitor/store/migrate.py). Written out in full, not from gwp_monitor/store/schema.py, so it keeps
building this same schema when the table definitions move on in later revisions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.TIMESTAMP(timezone=True)


def _auto_id(name: str) -> sa.Column:
    return sa.Column(name, AUTO_ID, sa.Identity(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "suppliers",
        sa.Column("supplier_id", sa.VARCHAR(64), nullable=False),
        sa.Column("name", sa.VARCHAR(300), nullable=False),
        sa.PrimaryKeyConstraint("supplier_id", name="suppliers_pkey"),
    )
    op.create_table(
        "contracts",
        sa.Column("contract_ref", sa.VARCHAR(64), nullable=False),
        sa.Column("title", sa.VARCHAR(300), nullable=False),
        sa.Column("supplier_id", sa.VARCHAR(64), nullable=False),
        sa.Column("start_date", sa.DATE(), nullable=False),
        sa.Column("end_date", sa.DATE()),
        sa.Column("contract_manager", sa.VARCHAR(320)),
        sa.Column("supplier_contact", sa.VARCHAR(320)),
        sa.Column("in_register", sa.INTEGER(), server_default=sa.text("1"), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("contract_ref", name="contracts_pkey"),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.supplier_id"], name="contracts_supplier_id_fkey"),
    )
    op.create_table(
        "commitments",
        sa.Column("contract_ref", sa.VARCHAR(64), nullable=False),
        sa.Column("commitment", sa.VARCHAR(64), nullable=False),
        sa.Column("severity", sa.VARCHAR(16), nullable=False),
        sa.Column("params", sa.TEXT(), nullable=False),
        sa.PrimaryKeyConstraint("contract_ref", "commitment", name="commitments_pkey"),
        sa.ForeignKeyConstraint(["contract_ref"], ["contracts.contract_ref"], name="commitments_contract_ref_fkey"),
    )
    op.create_table(
        "runs",
        _auto_id("run_id"),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("as_of", sa.DATE(), nullable=False),
        sa.Column("landing", sa.VARCHAR(1000)),
        sa.Column("files_read", sa.INTEGER(), server_default=sa.text("0"), nullable=False),
        sa.Column("submissions_stored", sa.INTEGER(), server_default=sa.text("0"), nullable=False),
        sa.Column("submissions_skipped", sa.INTEGER(), server_default=sa.text("0"), nullable=False),
        sa.Column("status", sa.VARCHAR(16), server_default=sa.text("'running'"), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name="runs_pkey"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "files_seen",
        sa.Column("file_sha256", sa.CHAR(64), nullable=False),
        sa.Column("file_name", sa.VARCHAR(1000), nullable=False),
        sa.Column("first_run_id", sa.INTEGER(), nullable=False),
        sa.Column("seen_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("file_sha256", name="files_seen_pkey"),
        sa.ForeignKeyConstraint(["first_run_id"], ["runs.run_id"], name="files_seen_first_run_id_fkey"),
    )
    op.create_table(
        "submissions",
        _auto_id("submission_id"),
        sa.Column("run_id", sa.INTEGER(), nullable=False),
        sa.Column("contract_ref", sa.VARCHAR(64)),
        sa.Column("kind", sa.VARCHAR(16)),
        sa.Column("period_start", sa.DATE()),
        sa.Column("period_end", sa.DATE()),
        sa.Column("status", sa.VARCHAR(16), nullable=False),
        sa.Column("file_name", sa.VARCHAR(1000), nullable=False),
        sa.Column("file_sha256", sa.CHAR(64), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("row_count", sa.INTEGER(), nullable=False),
        sa.Column("error_count", sa.INTEGER(), nullable=False),
        sa.Column("errors", sa.TEXT()),
        sa.Column("errors_json", sa.TEXT()),
        sa.Column("superseded_by", sa.INTEGER()),
        sa.Column("stored_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("submission_id", name="submissions_pkey"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name="submissions_run_id_fkey"),
        sa.CheckConstraint("status IN ('accepted', 'rejected', 'superseded')", name="submissions_status"),
        sqlite_autoincrement=True,
    )
    op.create_index("submissions_content", "submissions", ["file_sha256"], unique=True)
    op.create_index("submissions_period", "submissions", ["contract_ref", "kind", "period_start", "status"])
    # At most one accepted submission per contract, kind and period (the runner's migration 0002).
    accepted = sa.text("status = 'accepted'")
    op.create_index(
        "submissions_one_accepted",
        "submissions",
        ["contract_ref", "kind", "period_start"],
        unique=True,
        sqlite_where=accepted,
        postgresql_where=accepted,
    )
    op.create_table(
        "verdicts",
        _auto_id("verdict_id"),
        sa.Column("submission_id", sa.INTEGER()),
        sa.Column("contract_ref", sa.VARCHAR(64), nullable=False),
        sa.Column("commitment", sa.VARCHAR(64), nullable=False),
        sa.Column("period_start", sa.DATE(), nullable=False),
        sa.Column("period_end", sa.DATE(), nullable=False),
        sa.Column("status", sa.VARCHAR(16), nullable=False),
        sa.Column("severity", sa.VARCHAR(16), nullable=False),
        sa.Column("observed_value", sa.NUMERIC(18, 6)),
        sa.Column("threshold", sa.NUMERIC(18, 6)),
        sa.Column("detail", sa.TEXT()),
        sa.Column("assessed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("verdict_id", name="verdicts_pkey"),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.submission_id"], name="verdicts_submission_id_fkey"),
        sa.CheckConstraint("status IN ('compliant', 'breach', 'not_assessable')", name="verdicts_status"),
        sqlite_autoincrement=True,
    )
    op.create_index("verdicts_contract", "verdicts", ["contract_ref", "commitment", "period_start"])
    op.create_index("verdicts_submission", "verdicts", ["submission_id"])
    op.create_table(
        "wage_figures",
        sa.Column("submission_id", sa.INTEGER(), nullable=False),
        sa.Column("contract_ref", sa.VARCHAR(64), nullable=False),
        sa.Column("period_start", sa.DATE(), nullable=False),
        sa.Column("period_end", sa.DATE(), nullable=False),
        sa.Column("rate_type", sa.VARCHAR(32), nullable=False),
        sa.Column("band", sa.VARCHAR(16), nullable=False),
        sa.Column("required_rate", sa.NUMERIC(8, 2), nullable=False),
        sa.Column("workers_assessed", sa.INTEGER(), nullable=False),
        sa.Column("workers_below", sa.INTEGER(), nullable=False),
        sa.Column("lowest_rate", sa.NUMERIC(10, 4)),
        sa.Column("arrears_gbp", sa.NUMERIC(14, 2), nullable=False),
        sa.Column("upcoming_rate", sa.NUMERIC(8, 2)),
        sa.Column("workers_below_upcoming", sa.INTEGER()),
        sa.PrimaryKeyConstraint("submission_id", "rate_type", "band", name="wage_figures_pkey"),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.submission_id"], name="wage_figures_submission_id_fkey"
        ),
    )
    op.create_table(
        "return_timeliness",
        sa.Column("contract_ref", sa.VARCHAR(64), nullable=False),
        sa.Column("kind", sa.VARCHAR(16), nullable=False),
        sa.Column("period_start", sa.DATE(), nullable=False),
        sa.Column("period_end", sa.DATE(), nullable=False),
        sa.Column("due_date", sa.DATE(), nullable=False),
        sa.Column("status", sa.VARCHAR(20), nullable=False),
        sa.Column("as_of", sa.DATE(), nullable=False),
        sa.PrimaryKeyConstraint("contract_ref", "kind", "period_start", name="return_timeliness_pkey"),
    )
    op.create_table(
        "breaches",
        _auto_id("breach_id"),
        sa.Column("contract_ref", sa.VARCHAR(64), nullable=False),
        sa.Column("commitment", sa.VARCHAR(64), nullable=False),
        sa.Column("first_period_start", sa.DATE(), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("resolved_at", TS),
        sa.Column("resolved_period_start", sa.DATE()),
        sa.PrimaryKeyConstraint("breach_id", name="breaches_pkey"),
        sqlite_autoincrement=True,
    )
    op.create_index("breaches_open", "breaches", ["contract_ref", "commitment", "resolved_at"])
    op.create_table(
        "alert_log",
        sa.Column("event_key", sa.VARCHAR(300), nullable=False),
        sa.Column("channel", sa.VARCHAR(32), nullable=False),
        sa.Column("event", sa.VARCHAR(32), nullable=False),
        sa.Column("contract_ref", sa.VARCHAR(64)),
        sa.Column("sent_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("event_key", "channel", name="alert_log_pkey"),
    )
    op.create_table(
        "schema_views",
        sa.Column("checksum", sa.CHAR(64), nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "schema_views",
        "alert_log",
        "breaches",
        "return_timeliness",
        "wage_figures",
        "verdicts",
        "submissions",
        "files_seen",
        "runs",
        "commitments",
        "contracts",
        "suppliers",
    ):
        op.drop_table(table)
