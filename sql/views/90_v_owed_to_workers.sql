-- Owed to workers and the uplift cost (spec 4, 5): one row per contract and period with at least one
-- worker assessed, from the accepted payroll submission. A worker below both floors is owed the larger
-- shortfall, once; the uplift columns are null where no upcoming rate has been announced.
CREATE VIEW v_owed_to_workers AS
SELECT s.contract_ref,
       s.period_start,
       s.period_end,
       o.workers_owed,
       o.owed_gbp,
       o.uplift_from,
       o.workers_below_uplift,
       o.uplift_cost_gbp
FROM owed_figures o
JOIN submissions s ON s.submission_id = o.submission_id
WHERE s.status = 'accepted' AND o.workers_assessed > 0;
