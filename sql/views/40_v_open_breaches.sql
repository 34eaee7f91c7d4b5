-- A breach is open while a commitment's latest verdict is a breach; its run is the consecutive
-- breach verdicts counting back from the latest period (spec 4).
CREATE VIEW v_open_breaches AS
WITH ranked AS (
    SELECT contract_ref, commitment, severity, period_start, period_end, status,
           ROW_NUMBER() OVER (PARTITION BY contract_ref, commitment ORDER BY period_start DESC) AS rn
    FROM v_compliance_history
),
stops AS (
    SELECT contract_ref, commitment, MIN(rn) AS stop_rn
    FROM ranked
    WHERE status <> 'breach'
    GROUP BY contract_ref, commitment
),
breach_run AS (
    SELECT r.*
    FROM ranked r
    LEFT JOIN stops s ON s.contract_ref = r.contract_ref AND s.commitment = r.commitment
    WHERE r.status = 'breach' AND (s.stop_rn IS NULL OR r.rn < s.stop_rn)
),
wage AS (
    SELECT contract_ref, rate_type, period_start,
           SUM(arrears_gbp) AS arrears, SUM(workers_below) AS workers_below
    FROM v_wage_compliance
    GROUP BY contract_ref, rate_type, period_start
)
SELECT b.contract_ref,
       b.commitment,
       MAX(b.severity)                                        AS severity,
       MIN(b.period_start)                                    AS first_period_start,
       MAX(b.period_end)                                      AS latest_period_end,
       COUNT(*)                                               AS periods_in_breach,
       MAX(CASE WHEN b.rn = 1 THEN w.workers_below END)       AS workers_affected,
       ROUND(SUM(w.arrears), 2)                               AS arrears_gbp  -- to the penny: SQLite sums floats
FROM breach_run b
LEFT JOIN wage w
       ON w.contract_ref = b.contract_ref AND w.rate_type = b.commitment AND w.period_start = b.period_start
GROUP BY b.contract_ref, b.commitment;
