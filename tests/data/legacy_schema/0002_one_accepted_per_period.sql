-- At most one accepted submission per contract, kind and period, enforced by the database: parallel
-- writers (the DAG's mapped tasks) cannot both store an accepted return for the same period; the loser
-- fails its transaction, leaves no trace, and is stored on the next run.
CREATE UNIQUE INDEX submissions_one_accepted ON submissions (contract_ref, kind, period_start) WHERE status = 'accepted';
