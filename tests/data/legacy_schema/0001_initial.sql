-- gwp-monitor reporting database, version 1.
-- Portable SQL for SQLite and PostgreSQL. {{id}} is an auto-numbered primary key, {{ts}} a UTC
-- timestamp; the tool substitutes them per database (gwp_monitor/db.py). No table holds a worker_ref,
-- a row per worker or an individual's pay (spec 6): only aggregates per contract, period and band.

CREATE TABLE suppliers (
    supplier_id   VARCHAR(64)  PRIMARY KEY,
    name          VARCHAR(300) NOT NULL
);

CREATE TABLE contracts (
    contract_ref      VARCHAR(64)  PRIMARY KEY,
    title             VARCHAR(300) NOT NULL,
    supplier_id       VARCHAR(64)  NOT NULL REFERENCES suppliers (supplier_id),
    start_date        DATE         NOT NULL,
    end_date          DATE,
    contract_manager  VARCHAR(320),
    supplier_contact  VARCHAR(320),
    in_register       INTEGER      NOT NULL DEFAULT 1,
    updated_at        {{ts}}       NOT NULL
);

CREATE TABLE commitments (
    contract_ref  VARCHAR(64)  NOT NULL REFERENCES contracts (contract_ref),
    commitment    VARCHAR(64)  NOT NULL,
    severity      VARCHAR(16)  NOT NULL,
    params        TEXT         NOT NULL,
    PRIMARY KEY (contract_ref, commitment)
);

CREATE TABLE runs (
    run_id              {{id}},
    started_at          {{ts}}       NOT NULL,
    finished_at         {{ts}},
    as_of               DATE         NOT NULL,
    landing             VARCHAR(1000),
    files_read          INTEGER      NOT NULL DEFAULT 0,
    submissions_stored  INTEGER      NOT NULL DEFAULT 0,
    submissions_skipped INTEGER      NOT NULL DEFAULT 0,
    status              VARCHAR(16)  NOT NULL DEFAULT 'running'
);

-- Files already read, so an hourly run does not re-read an unchanged landing folder.
CREATE TABLE files_seen (
    file_sha256   CHAR(64)      PRIMARY KEY,
    file_name     VARCHAR(1000) NOT NULL,
    first_run_id  INTEGER       NOT NULL REFERENCES runs (run_id),
    seen_at       {{ts}}        NOT NULL
);

CREATE TABLE submissions (
    submission_id  {{id}},
    run_id         INTEGER       NOT NULL REFERENCES runs (run_id),
    contract_ref   VARCHAR(64),
    kind           VARCHAR(16),
    period_start   DATE,
    period_end     DATE,
    status         VARCHAR(16)   NOT NULL,
    file_name      VARCHAR(1000) NOT NULL,
    file_sha256    CHAR(64)      NOT NULL,
    received_at    {{ts}}        NOT NULL,
    row_count      INTEGER       NOT NULL,
    error_count    INTEGER       NOT NULL,
    errors         TEXT,
    errors_json    TEXT,
    superseded_by  INTEGER,
    stored_at      {{ts}}        NOT NULL,
    CONSTRAINT submissions_status CHECK (status IN ('accepted', 'rejected', 'superseded'))
);
CREATE UNIQUE INDEX submissions_content ON submissions (file_sha256);
CREATE INDEX submissions_period ON submissions (contract_ref, kind, period_start, status);

-- Verdicts of assessed submissions (submission_id set) and of periods with no accepted return
-- (submission_id null, recomputed every run for its as-of date).
CREATE TABLE verdicts (
    verdict_id      {{id}},
    submission_id   INTEGER      REFERENCES submissions (submission_id),
    contract_ref    VARCHAR(64)  NOT NULL,
    commitment      VARCHAR(64)  NOT NULL,
    period_start    DATE         NOT NULL,
    period_end      DATE         NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    severity        VARCHAR(16)  NOT NULL,
    observed_value  NUMERIC(18, 6),
    threshold       NUMERIC(18, 6),
    detail          TEXT,
    assessed_at     {{ts}}       NOT NULL,
    CONSTRAINT verdicts_status CHECK (status IN ('compliant', 'breach', 'not_assessable'))
);
CREATE INDEX verdicts_contract ON verdicts (contract_ref, commitment, period_start);
CREATE INDEX verdicts_submission ON verdicts (submission_id);

CREATE TABLE wage_figures (
    submission_id           INTEGER       NOT NULL REFERENCES submissions (submission_id),
    contract_ref            VARCHAR(64)   NOT NULL,
    period_start            DATE          NOT NULL,
    period_end              DATE          NOT NULL,
    rate_type               VARCHAR(32)   NOT NULL,
    band                    VARCHAR(16)   NOT NULL,
    required_rate           NUMERIC(8, 2) NOT NULL,
    workers_assessed        INTEGER       NOT NULL,
    workers_below           INTEGER       NOT NULL,
    lowest_rate             NUMERIC(10, 4),
    arrears_gbp             NUMERIC(14, 2) NOT NULL,
    upcoming_rate           NUMERIC(8, 2),
    workers_below_upcoming  INTEGER,
    PRIMARY KEY (submission_id, rate_type, band)
);

CREATE TABLE return_timeliness (
    contract_ref  VARCHAR(64) NOT NULL,
    kind          VARCHAR(16) NOT NULL,
    period_start  DATE        NOT NULL,
    period_end    DATE        NOT NULL,
    due_date      DATE        NOT NULL,
    status        VARCHAR(20) NOT NULL,
    as_of         DATE        NOT NULL,
    PRIMARY KEY (contract_ref, kind, period_start)
);

-- Breach lifecycle for alerts: opened when a commitment is first found breached, resolved when a
-- later period is compliant (or no longer a breach).
CREATE TABLE breaches (
    breach_id           {{id}},
    contract_ref        VARCHAR(64)  NOT NULL,
    commitment          VARCHAR(64)  NOT NULL,
    first_period_start  DATE         NOT NULL,
    opened_at           {{ts}}       NOT NULL,
    resolved_at         {{ts}},
    resolved_period_start DATE
);
CREATE INDEX breaches_open ON breaches (contract_ref, commitment, resolved_at);

-- Exactly-once alerts: one row per event and channel once it was delivered.
CREATE TABLE alert_log (
    event_key  VARCHAR(300) NOT NULL,
    channel    VARCHAR(32)  NOT NULL,
    event      VARCHAR(32)  NOT NULL,
    contract_ref VARCHAR(64),
    sent_at    {{ts}}       NOT NULL,
    PRIMARY KEY (event_key, channel)
);
