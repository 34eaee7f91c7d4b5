-- Wage figures per contract, period, rate type and band with at least one worker assessed.
-- lowest_rate is null under 5 workers (spec 5, 6): with fewer it is close to one person's pay.
CREATE VIEW v_wage_compliance AS
SELECT w.contract_ref, w.period_start, w.period_end, w.rate_type, w.band, w.required_rate,
       w.workers_assessed, w.workers_below,
       CASE WHEN w.workers_assessed >= 5 THEN w.lowest_rate END AS lowest_rate, w.arrears_gbp, w.upcoming_rate,
       w.workers_below_upcoming
FROM wage_figures w
JOIN submissions s ON s.submission_id = w.submission_id
WHERE s.status = 'accepted' AND w.workers_assessed > 0;
