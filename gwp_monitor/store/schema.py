"""The reporting database's tables: the one definition of the schema in Python.

The code writes and reads through these Table objects, Alembic's autogenerate compares them with a
database, and a test checks that the revisions under sql/migrations/ build exactly this (so the two
cannot drift). A revision never imports this module: it spells out its own operations, so it stays
what it was when later revisions change the tables.

Portable over SQLite and PostgreSQL. Auto-numbered keys are BIGINT identities on PostgreSQL and
SQLite's INTEGER PRIMARY KEY AUTOINCREMENT (a rowid alias whose numbers are never reused); timestamps
are UTC, with time zone on PostgreSQL. No table holds a worker_ref, a row per worker or an individual's
pay (spec 6): only aggregates per contract, period and band.
"""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    DATE,
    INTEGER,
    NUMERIC,
    TEXT,
    TIMESTAMP,
    VARCHAR,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    text,
)

#: PostgreSQL's own names for unnamed constraints, so databases made before these definitions existed
#: (by the raw-SQL runner) carry the same names, and later revisions can address them on both databases.
NAMING_CONVENTION = {
    "pk": "%(table_name)s_pkey",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ix": "%(table_name)s_%(column_0_name)s_idx",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: An auto-numbered primary key's type: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
AUTO_ID = BigInteger().with_variant(Integer(), "sqlite")
UTC_TIMESTAMP = TIMESTAMP(timezone=True)
#: The partial unique index's condition: at most one accepted submission per contract, kind and period.
ONE_ACCEPTED_WHERE = "status = 'accepted'"
#: The partial unique index's condition: at most one open breach per contract and commitment.
ONE_OPEN_WHERE = "resolved_at IS NULL"


def _auto_id(name: str) -> Column:
    return Column(name, AUTO_ID, Identity(), primary_key=True)


suppliers = Table(
    "suppliers",
    metadata,
    Column("supplier_id", VARCHAR(64), primary_key=True),
    Column("name", VARCHAR(300), nullable=False),
)

contracts = Table(
    "contracts",
    metadata,
    Column("contract_ref", VARCHAR(64), primary_key=True),
    Column("title", VARCHAR(300), nullable=False),
    Column("supplier_id", VARCHAR(64), ForeignKey("suppliers.supplier_id"), nullable=False),
    Column("start_date", DATE, nullable=False),
    Column("end_date", DATE),
    Column("contract_manager", VARCHAR(320)),
    Column("supplier_contact", VARCHAR(320)),
    Column("in_register", INTEGER, nullable=False, server_default=text("1")),
    Column("updated_at", UTC_TIMESTAMP, nullable=False),
)

commitments = Table(
    "commitments",
    metadata,
    Column("contract_ref", VARCHAR(64), ForeignKey("contracts.contract_ref"), primary_key=True),
    Column("commitment", VARCHAR(64), primary_key=True),
    Column("severity", VARCHAR(16), nullable=False),
    Column("params", TEXT, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    _auto_id("run_id"),
    Column("started_at", UTC_TIMESTAMP, nullable=False),
    Column("finished_at", UTC_TIMESTAMP),
    Column("as_of", DATE, nullable=False),
    Column("landing", VARCHAR(1000)),
    Column("files_read", INTEGER, nullable=False, server_default=text("0")),
    Column("submissions_stored", INTEGER, nullable=False, server_default=text("0")),
    Column("submissions_skipped", INTEGER, nullable=False, server_default=text("0")),
    Column("status", VARCHAR(16), nullable=False, server_default=text("'running'")),
    sqlite_autoincrement=True,
)

# Files already read, so an hourly run does not re-read an unchanged landing folder.
files_seen = Table(
    "files_seen",
    metadata,
    Column("file_sha256", CHAR(64), primary_key=True),
    Column("file_name", VARCHAR(1000), nullable=False),
    Column("first_run_id", INTEGER, ForeignKey("runs.run_id"), nullable=False),
    Column("seen_at", UTC_TIMESTAMP, nullable=False),
)

submissions = Table(
    "submissions",
    metadata,
    _auto_id("submission_id"),
    Column("run_id", INTEGER, ForeignKey("runs.run_id"), nullable=False),
    Column("contract_ref", VARCHAR(64)),
    Column("kind", VARCHAR(16)),
    Column("period_start", DATE),
    Column("period_end", DATE),
    Column("status", VARCHAR(16), nullable=False),
    Column("file_name", VARCHAR(1000), nullable=False),
    Column("file_sha256", CHAR(64), nullable=False),
    Column("received_at", UTC_TIMESTAMP, nullable=False),
    Column("row_count", INTEGER, nullable=False),
    Column("error_count", INTEGER, nullable=False),
    Column("errors", TEXT),
    Column("errors_json", TEXT),
    Column("superseded_by", INTEGER),
    Column("warnings", TEXT),  # notes without rejection: columns ignored, values normalised (no cell values)
    Column("supersedes_submission_id", INTEGER),  # the accepted submission this one replaced (kept, superseded)
    Column("source", VARCHAR(32)),  # where the return came from: folder, sftp, portal...
    Column("stored_at", UTC_TIMESTAMP, nullable=False),
    CheckConstraint("status IN ('accepted', 'rejected', 'superseded')", name="submissions_status"),
    Index("submissions_content", "file_sha256", unique=True),
    Index("submissions_period", "contract_ref", "kind", "period_start", "status"),
    # At most one accepted submission per contract, kind and period, enforced by the database: parallel
    # writers (the DAG's mapped tasks) cannot both store an accepted return for the same period; the
    # loser fails its transaction, leaves no trace, and is stored on the next run.
    Index(
        "submissions_one_accepted",
        "contract_ref",
        "kind",
        "period_start",
        unique=True,
        sqlite_where=text(ONE_ACCEPTED_WHERE),
        postgresql_where=text(ONE_ACCEPTED_WHERE),
    ),
    sqlite_autoincrement=True,
)

# Verdicts of assessed submissions (submission_id set) and of periods with no accepted return
# (submission_id null, recomputed every run for its as-of date).
verdicts = Table(
    "verdicts",
    metadata,
    _auto_id("verdict_id"),
    Column("submission_id", INTEGER, ForeignKey("submissions.submission_id")),
    Column("contract_ref", VARCHAR(64), nullable=False),
    Column("commitment", VARCHAR(64), nullable=False),
    Column("period_start", DATE, nullable=False),
    Column("period_end", DATE, nullable=False),
    Column("status", VARCHAR(16), nullable=False),
    Column("severity", VARCHAR(16), nullable=False),
    Column("observed_value", NUMERIC(18, 6)),
    Column("threshold", NUMERIC(18, 6)),
    Column("detail", TEXT),
    Column("assessed_at", UTC_TIMESTAMP, nullable=False),
    CheckConstraint("status IN ('compliant', 'breach', 'not_assessable')", name="verdicts_status"),
    Index("verdicts_contract", "contract_ref", "commitment", "period_start"),
    Index("verdicts_submission", "submission_id"),
    sqlite_autoincrement=True,
)

wage_figures = Table(
    "wage_figures",
    metadata,
    Column("submission_id", INTEGER, ForeignKey("submissions.submission_id"), primary_key=True),
    Column("contract_ref", VARCHAR(64), nullable=False),
    Column("period_start", DATE, nullable=False),
    Column("period_end", DATE, nullable=False),
    Column("rate_type", VARCHAR(32), primary_key=True),
    Column("band", VARCHAR(16), primary_key=True),
    Column("required_rate", NUMERIC(8, 2), nullable=False),
    Column("workers_assessed", INTEGER, nullable=False),
    Column("workers_below", INTEGER, nullable=False),
    Column("lowest_rate", NUMERIC(10, 4)),
    Column("arrears_gbp", NUMERIC(14, 2), nullable=False),
    Column("upcoming_rate", NUMERIC(8, 2)),
    Column("workers_below_upcoming", INTEGER),
)

#: Per payroll submission: owed to workers and the uplift cost to the upcoming rate (spec 4).
owed_figures = Table(
    "owed_figures",
    metadata,
    Column("submission_id", INTEGER, ForeignKey("submissions.submission_id"), primary_key=True),
    Column("workers_assessed", INTEGER, nullable=False),
    Column("workers_owed", INTEGER, nullable=False),
    Column("owed_gbp", NUMERIC(14, 2), nullable=False),
    Column("uplift_from", DATE),
    Column("workers_below_uplift", INTEGER),
    Column("uplift_cost_gbp", NUMERIC(14, 2)),
)

return_timeliness = Table(
    "return_timeliness",
    metadata,
    Column("contract_ref", VARCHAR(64), primary_key=True),
    Column("kind", VARCHAR(16), primary_key=True),
    Column("period_start", DATE, primary_key=True),
    Column("period_end", DATE, nullable=False),
    Column("due_date", DATE, nullable=False),
    Column("status", VARCHAR(20), nullable=False),
    Column("as_of", DATE, nullable=False),
)

# Breach lifecycle for alerts: opened when a commitment is first found breached, resolved when a later
# period is compliant (or no longer a breach).
breaches = Table(
    "breaches",
    metadata,
    _auto_id("breach_id"),
    Column("contract_ref", VARCHAR(64), nullable=False),
    Column("commitment", VARCHAR(64), nullable=False),
    Column("first_period_start", DATE, nullable=False),
    Column("opened_at", UTC_TIMESTAMP, nullable=False),
    Column("resolved_at", UTC_TIMESTAMP),
    Column("resolved_period_start", DATE),
    Index("breaches_open", "contract_ref", "commitment", "resolved_at"),
    # At most one open breach per contract and commitment (the lifecycle inserts with ON CONFLICT on it).
    Index(
        "breaches_one_open",
        "contract_ref",
        "commitment",
        unique=True,
        sqlite_where=text(ONE_OPEN_WHERE),
        postgresql_where=text(ONE_OPEN_WHERE),
    ),
    sqlite_autoincrement=True,
)

# Exactly-once alerts: one row per event and channel once it was delivered.
alert_log = Table(
    "alert_log",
    metadata,
    Column("event_key", VARCHAR(300), primary_key=True),
    Column("channel", VARCHAR(32), primary_key=True),
    Column("event", VARCHAR(32), nullable=False),
    Column("contract_ref", VARCHAR(64)),
    Column("sent_at", UTC_TIMESTAMP, nullable=False),
)

# Deliveries claimed by a sender (notify.lifecycle.dispatch) before it sends them, so two senders never
# send one alert twice; a failed send gives its claim up, a dead sender's claim lapses after a lease.
alert_outbox = Table(
    "alert_outbox",
    metadata,
    Column("event_key", VARCHAR(300), primary_key=True),
    Column("channel", VARCHAR(32), primary_key=True),
    Column("message_id", VARCHAR(400), nullable=False),
    Column("claimed_at", UTC_TIMESTAMP, nullable=False),
)

# Files fetched from landing sources (gwp_monitor.sources): each (source, identity at the source) once,
# and each content once whatever its source, so a file offered twice lands once. `outcome` is landed,
# duplicate (content already fetched) or rejected (not a return file: `reason` says why).
fetched_files = Table(
    "fetched_files",
    metadata,
    Column("source", VARCHAR(400), primary_key=True),
    Column("source_id", VARCHAR(1000), primary_key=True),
    Column("content_sha256", CHAR(64)),
    Column("label", VARCHAR(200), nullable=False),
    Column("received_at", UTC_TIMESTAMP, nullable=False),
    Column("fetched_at", UTC_TIMESTAMP, nullable=False),
    Column("outcome", VARCHAR(16), nullable=False),
    Column("landed_as", VARCHAR(200)),
    Column("reason", TEXT),
    Index("fetched_files_content", "content_sha256"),
)

# The checksum of sql/views/ the published views were last created from: they are recreated only
# when it changes, because dropping a view drops the GRANTs a DBA gave BI roles on it.
schema_views = Table(
    "schema_views",
    metadata,
    Column("checksum", CHAR(64), nullable=False),
    Column("created_at", TIMESTAMP, nullable=False),
)

# --- public registers (gwp_monitor/public_registers): what the government publishes about suppliers ---

# One snapshot of the UK gender pay gap register per reporting year (2017 = the 2017-18 register); a
# newer file for the year replaces it, the same content changes nothing.
gpg_snapshots = Table(
    "gpg_snapshots",
    metadata,
    Column("reporting_year", INTEGER, primary_key=True, autoincrement=False),
    Column("source", VARCHAR(1000), nullable=False),
    Column("content_sha256", CHAR(64), nullable=False),
    Column("employers", INTEGER, nullable=False),
    Column("imported_at", UTC_TIMESTAMP, nullable=False),
)

# The register's employers of a snapshot: published company figures (no person's name is kept).
gpg_employers = Table(
    "gpg_employers",
    metadata,
    Column("reporting_year", INTEGER, ForeignKey("gpg_snapshots.reporting_year"), primary_key=True),
    Column("source_row", INTEGER, primary_key=True, autoincrement=False),
    Column("company_number", VARCHAR(16)),
    Column("employer_name", VARCHAR(500), nullable=False),
    Column("employer_name_key", VARCHAR(500)),
    Column("employer_id", VARCHAR(32)),
    Column("employer_size", VARCHAR(40)),
    Column("diff_median_hourly_pct", NUMERIC(10, 2), nullable=False),
    Column("diff_mean_hourly_pct", NUMERIC(10, 2), nullable=False),
    Column("diff_median_bonus_pct", NUMERIC(14, 2)),
    Column("diff_mean_bonus_pct", NUMERIC(14, 2)),
    Column("female_top_quartile_pct", NUMERIC(6, 2)),
    Column("link", VARCHAR(1000)),
    Column("submitted_late", Boolean(create_constraint=False), nullable=False),
    Column("due_date", DATE, nullable=False),
    Column("date_submitted", DATE, nullable=False),
    Index("gpg_employers_number", "company_number", "reporting_year"),
)

# A workforce return's aggregate figures, kept to set beside the register when it arrives later.
workforce_figures = Table(
    "workforce_figures",
    metadata,
    Column("submission_id", INTEGER, ForeignKey("submissions.submission_id"), primary_key=True, autoincrement=False),
    Column("contract_ref", VARCHAR(64), nullable=False),
    Column("period_start", DATE, nullable=False),
    Column("period_end", DATE, nullable=False),
    Column("headcount", INTEGER),
    Column("gender_pay_gap_median_pct", NUMERIC(10, 2)),
    Column("gender_pay_gap_mean_pct", NUMERIC(10, 2)),
)

# Each contract's accepted workforce periods checked against the register (recomputed whole).
gpg_checks = Table(
    "gpg_checks",
    metadata,
    Column("contract_ref", VARCHAR(64), primary_key=True),
    Column("period_start", DATE, primary_key=True),
    Column("period_end", DATE, nullable=False),
    Column("submission_id", INTEGER, nullable=False),
    Column("supplier_id", VARCHAR(64), nullable=False),
    Column("company_number", VARCHAR(16)),
    Column("reporting_year", INTEGER, nullable=False),
    Column("matched_by", VARCHAR(20), nullable=False),
    Column("published", Boolean(create_constraint=False)),
    Column("published_median_pct", NUMERIC(10, 2)),
    Column("published_mean_pct", NUMERIC(10, 2)),
    Column("returned_median_pct", NUMERIC(10, 2)),
    Column("difference_pct", NUMERIC(10, 2)),
    Column("submitted_late", Boolean(create_constraint=False)),
    Column("employer_name", VARCHAR(500)),
    Column("register_link", VARCHAR(1000)),
    Column("name_suggestion", VARCHAR(1000)),
    Column("note", TEXT),
    Column("checked_at", UTC_TIMESTAMP, nullable=False),
)

# --- supplier portal (gwp_monitor/portal): accounts, tokens, sign-in throttle, audit, uploads ---------

# People who sign in to the portal. A supplier user belongs to one supplier and sees only its contracts;
# contract managers see every contract; administrators manage accounts. Only an argon2id hash is kept.
portal_users = Table(
    "portal_users",
    metadata,
    _auto_id("user_id"),
    Column("email", VARCHAR(320), nullable=False),
    Column("role", VARCHAR(32), nullable=False),
    Column("supplier_id", VARCHAR(64)),
    Column("password_hash", VARCHAR(200)),  # null until the one-time sign-in link is used
    Column("disabled", Boolean(create_constraint=False), nullable=False),
    Column("created_at", UTC_TIMESTAMP, nullable=False),
    CheckConstraint("role IN ('supplier', 'contract_manager', 'admin')", name="portal_users_role"),
    CheckConstraint("role <> 'supplier' OR supplier_id IS NOT NULL", name="portal_users_supplier"),
    Index("portal_users_email", "email", unique=True),
    sqlite_autoincrement=True,
)

# API tokens and one-time sign-in links: only the SHA-256 of the secret is kept.
portal_tokens = Table(
    "portal_tokens",
    metadata,
    Column("token_sha256", CHAR(64), primary_key=True),
    Column("user_id", INTEGER, ForeignKey("portal_users.user_id"), nullable=False),
    Column("purpose", VARCHAR(16), nullable=False),  # api | sign_in
    Column("created_at", UTC_TIMESTAMP, nullable=False),
    Column("expires_at", UTC_TIMESTAMP, nullable=False),
    Column("used_at", UTC_TIMESTAMP),  # a sign-in link works once
    CheckConstraint("purpose IN ('api', 'sign_in')", name="portal_tokens_purpose"),
)

# Sign-in throttle: failed attempts per key (an e-mail address or a client address) in the current window.
portal_sign_in_failures = Table(
    "portal_sign_in_failures",
    metadata,
    Column("throttle_key", VARCHAR(400), primary_key=True),
    Column("failures", INTEGER, nullable=False),
    Column("window_start", UTC_TIMESTAMP, nullable=False),
)

# Who did what, when, to which object: sign-ins, uploads, downloads, account changes. Never file contents.
portal_audit_log = Table(
    "portal_audit_log",
    metadata,
    _auto_id("audit_id"),
    Column("at", UTC_TIMESTAMP, nullable=False),
    Column("actor", VARCHAR(320)),  # the e-mail of the user, or null when nobody signed in
    Column("action", VARCHAR(64), nullable=False),
    Column("object", VARCHAR(1000)),
    Column("outcome", VARCHAR(32), nullable=False),
    Index("portal_audit_log_at", "at"),
    sqlite_autoincrement=True,
)

# Returns handed in through the portal that passed the check and were landed.
portal_uploads = Table(
    "portal_uploads",
    metadata,
    _auto_id("upload_id"),
    Column("user_id", INTEGER, ForeignKey("portal_users.user_id"), nullable=False),
    Column("supplier_id", VARCHAR(64), nullable=False),
    Column("uploaded_at", UTC_TIMESTAMP, nullable=False),
    Column("file_sha256", CHAR(64), nullable=False),
    Column("stored_name", VARCHAR(200), nullable=False),  # the name the portal gave it in the landing folder
    Column("label", VARCHAR(200), nullable=False),  # the supplier's own file name, shown only
    Index("portal_uploads_supplier", "supplier_id", "uploaded_at"),
    sqlite_autoincrement=True,
)

# The submissions (by content SHA-256, v_submissions.file_sha256) each upload holds, as the check found
# them: how a supplier's upload is joined to what the pipeline then decided.
portal_upload_submissions = Table(
    "portal_upload_submissions",
    metadata,
    Column("upload_id", INTEGER, ForeignKey("portal_uploads.upload_id"), primary_key=True),
    Column("content_sha256", CHAR(64), primary_key=True),
    Column("contract_ref", VARCHAR(64), nullable=False),
    Column("kind", VARCHAR(16), nullable=False),
    Column("period_start", DATE, nullable=False),
    Column("period_end", DATE, nullable=False),
    Index("portal_upload_submissions_content", "content_sha256"),
)
