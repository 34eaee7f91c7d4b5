"""The UK gender pay gap register beside suppliers' returns (issue 17).

Revision ID: 0003
Revises: 0002

gpg_snapshots / gpg_employers hold one snapshot of the public register per reporting year;
workforce_figures keeps each accepted workforce return's aggregate figures (headcount and the gender
pay gap it reported) so the checks can be made again when a later register arrives; gpg_checks holds
the latest check of every contract's workforce periods (v_public_register_checks).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.TIMESTAMP(timezone=True)
BOOL = sa.Boolean(create_constraint=False)


def upgrade() -> None:
    op.create_table(
        "gpg_snapshots",
        sa.Column("reporting_year", sa.INTEGER(), autoincrement=False, nullable=False),
        sa.Column("source", sa.VARCHAR(1000), nullable=False),
        sa.Column("content_sha256", sa.CHAR(64), nullable=False),
        sa.Column("employers", sa.INTEGER(), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("reporting_year", name="gpg_snapshots_pkey"),
    )
    op.create_table(
        "gpg_employers",
        sa.Column("reporting_year", sa.INTEGER(), nullable=False),
        sa.Column("source_row", sa.INTEGER(), autoincrement=False, nullable=False),
        sa.Column("company_number", sa.VARCHAR(16)),
        sa.Column("employer_name", sa.VARCHAR(500), nullable=False),
        sa.Column("employer_name_key", sa.VARCHAR(500)),
        sa.Column("employer_id", sa.VARCHAR(32)),
        sa.Column("employer_size", sa.VARCHAR(40)),
        sa.Column("diff_median_hourly_pct", sa.NUMERIC(10, 2), nullable=False),
        sa.Column("diff_mean_hourly_pct", sa.NUMERIC(10, 2), nullable=False),
        sa.Column("diff_median_bonus_pct", sa.NUMERIC(14, 2)),
        sa.Column("diff_mean_bonus_pct", sa.NUMERIC(14, 2)),
        sa.Column("female_top_quartile_pct", sa.NUMERIC(6, 2)),
        sa.Column("link", sa.VARCHAR(1000)),
        sa.Column("submitted_late", BOOL, nullable=False),
        sa.Column("due_date", sa.DATE(), nullable=False),
        sa.Column("date_submitted", sa.DATE(), nullable=False),
        sa.PrimaryKeyConstraint("reporting_year", "source_row", name="gpg_employers_pkey"),
        sa.ForeignKeyConstraint(
            ["reporting_year"], ["gpg_snapshots.reporting_year"], name="gpg_employers_reporting_year_fkey"
        ),
    )
    op.create_index("gpg_employers_number", "gpg_employers", ["company_number", "reporting_year"])
    op.create_table(
        "workforce_figures",
        sa.Column("submission_id", sa.INTEGER(), autoincrement=False, nullable=False),
        sa.Column("contract_ref", sa.VARCHAR(64), nullable=False),
        sa.Column("period_start", sa.DATE(), nullable=False),
        sa.Column("period_end", sa.DATE(), nullable=False),
        sa.Column("headcount", sa.INTEGER()),
        sa.Column("gender_pay_gap_median_pct", sa.NUMERIC(10, 2)),
        sa.Column("gender_pay_gap_mean_pct", sa.NUMERIC(10, 2)),
        sa.PrimaryKeyConstraint("submission_id", name="workforce_figures_pkey"),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.submission_id"], name="workforce_figures_submission_id_fkey"
        ),
    )
    op.create_table(
        "gpg_checks",
        sa.Column("contract_ref", sa.VARCHAR(64), nullable=False),
        sa.Column("period_start", sa.DATE(), nullable=False),
        sa.Column("period_end", sa.DATE(), nullable=False),
        sa.Column("submission_id", sa.INTEGER(), nullable=False),
        sa.Column("supplier_id", sa.VARCHAR(64), nullable=False),
        sa.Column("company_number", sa.VARCHAR(16)),
        sa.Column("reporting_year", sa.INTEGER(), nullable=False),
        sa.Column("matched_by", sa.VARCHAR(20), nullable=False),
        sa.Column("published", BOOL),
        sa.Column("published_median_pct", sa.NUMERIC(10, 2)),
        sa.Column("published_mean_pct", sa.NUMERIC(10, 2)),
        sa.Column("returned_median_pct", sa.NUMERIC(10, 2)),
        sa.Column("difference_pct", sa.NUMERIC(10, 2)),
        sa.Column("submitted_late", BOOL),
        sa.Column("employer_name", sa.VARCHAR(500)),
        sa.Column("register_link", sa.VARCHAR(1000)),
        sa.Column("name_suggestion", sa.VARCHAR(1000)),
        sa.Column("note", sa.TEXT()),
        sa.Column("checked_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("contract_ref", "period_start", name="gpg_checks_pkey"),
    )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_public_register_checks")
    op.drop_table("gpg_checks")
    op.drop_table("workforce_figures")
    op.drop_index("gpg_employers_number", table_name="gpg_employers")
    op.drop_table("gpg_employers")
    op.drop_table("gpg_snapshots")
