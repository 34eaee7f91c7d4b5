-- What each resubmission changed (spec 2.4, 5): one row per commitment whose verdict, observed value
-- or arrears the new accepted submission changed from the one it superseded. The superseded
-- submission's verdicts and wage figures stay stored: this view is the evidence of what it said.
CREATE VIEW v_resubmission_changes AS
WITH arrears AS (
    SELECT submission_id, rate_type, SUM(arrears_gbp) AS arrears_gbp
    FROM wage_figures
    GROUP BY submission_id, rate_type
)
SELECT n.contract_ref,
       n.kind,
       n.period_start,
       n.period_end,
       nv.commitment,
       p.submission_id  AS previous_submission_id,
       n.submission_id  AS new_submission_id,
       UTC_ISO(n.stored_at) AS changed_at,
       pv.status        AS previous_status,
       nv.status        AS new_status,
       pv.observed_value AS previous_observed_value,
       nv.observed_value AS new_observed_value,
       pa.arrears_gbp   AS previous_arrears_gbp,
       na.arrears_gbp   AS new_arrears_gbp
FROM submissions n
JOIN submissions p ON p.submission_id = n.supersedes_submission_id
JOIN verdicts nv ON nv.submission_id = n.submission_id
JOIN verdicts pv ON pv.submission_id = p.submission_id AND pv.commitment = nv.commitment
LEFT JOIN arrears na ON na.submission_id = n.submission_id AND na.rate_type = nv.commitment
LEFT JOIN arrears pa ON pa.submission_id = p.submission_id AND pa.rate_type = nv.commitment
WHERE pv.status <> nv.status
   OR CASE WHEN pv.observed_value IS NULL AND nv.observed_value IS NULL THEN 0
           WHEN pv.observed_value IS NULL OR nv.observed_value IS NULL THEN 1
           WHEN pv.observed_value <> nv.observed_value THEN 1 ELSE 0 END = 1
   OR CASE WHEN pa.arrears_gbp IS NULL AND na.arrears_gbp IS NULL THEN 0
           WHEN pa.arrears_gbp IS NULL OR na.arrears_gbp IS NULL THEN 1
           WHEN pa.arrears_gbp <> na.arrears_gbp THEN 1 ELSE 0 END = 1;
