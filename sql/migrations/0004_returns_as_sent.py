"""Returns as suppliers send them, and evidence that never disappears (issue 12).

Revision ID: 0004
Revises: 0003

`submissions.supersedes_submission_id` names the accepted submission a resubmission replaced (the
superseded one keeps its verdicts and wage figures, out of the current views), so
`v_resubmission_changes` can publish what each resubmission changed; it is filled in for existing
rows from `superseded_by`. `submissions.source` says where a return came from (folder, sftp, portal...):
existing rows came from the landing folder. `owed_figures` holds, per payroll submission, what is owed
to workers (once per row, at the larger shortfall) and the uplift cost to the upcoming Real Living
Wage (spec 4), for `v_owed_to_workers`; submissions assessed before this revision have none.

`submissions.warnings` holds the notes a submission was accepted (or rejected) with: columns outside
the template that were ignored, columns that look like personal data, values read from UK forms
("3 dates read as day/month/year"). Header names and counts only, never a cell value.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("warnings", sa.TEXT()))
    op.add_column("submissions", sa.Column("supersedes_submission_id", sa.INTEGER()))
    op.add_column("submissions", sa.Column("source", sa.VARCHAR(32)))
    op.execute("UPDATE submissions SET source = 'folder'")
    op.create_table(
        "owed_figures",
        sa.Column("submission_id", sa.INTEGER(), nullable=False),
        sa.Column("workers_assessed", sa.INTEGER(), nullable=False),
        sa.Column("workers_owed", sa.INTEGER(), nullable=False),
        sa.Column("owed_gbp", sa.NUMERIC(14, 2), nullable=False),
        sa.Column("uplift_from", sa.DATE()),
        sa.Column("workers_below_uplift", sa.INTEGER()),
        sa.Column("uplift_cost_gbp", sa.NUMERIC(14, 2)),
        sa.PrimaryKeyConstraint("submission_id", name="owed_figures_pkey"),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.submission_id"], name="owed_figures_submission_id_fkey"
        ),
    )
    # The one a submission replaced: the one it retired (superseded_by points at it), received no later.
    op.execute(
        "UPDATE submissions SET supersedes_submission_id = ("
        " SELECT MAX(o.submission_id) FROM submissions o"
        " WHERE o.superseded_by = submissions.submission_id AND o.received_at <= submissions.received_at)"
        " WHERE status IN ('accepted', 'superseded')"
    )


def downgrade() -> None:
    op.drop_table("owed_figures")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("source")
        batch.drop_column("supersedes_submission_id")
        batch.drop_column("warnings")
