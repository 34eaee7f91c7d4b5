-- RAG per contract (spec 4): red when any latest verdict is a breach; amber when none is but any is
-- not_assessable, a return is overdue, or the latest submission of a kind was rejected; else green.
CREATE VIEW v_contract_status AS
WITH latest AS (
    SELECT contract_ref,
           SUM(CASE WHEN status = 'breach' THEN 1 ELSE 0 END)         AS breaches,
           SUM(CASE WHEN status = 'not_assessable' THEN 1 ELSE 0 END) AS unknown
    FROM v_compliance_latest
    GROUP BY contract_ref
),
overdue AS (
    SELECT contract_ref, COUNT(*) AS n FROM return_timeliness WHERE status = 'overdue' GROUP BY contract_ref
),
latest_of_kind AS (
    SELECT contract_ref, status,
           ROW_NUMBER() OVER (PARTITION BY contract_ref, kind ORDER BY received_at DESC, submission_id DESC) AS rn
    FROM submissions
    WHERE contract_ref IS NOT NULL AND kind IS NOT NULL
),
rejected AS (
    SELECT contract_ref, COUNT(*) AS n FROM latest_of_kind WHERE rn = 1 AND status = 'rejected' GROUP BY contract_ref
),
open_breaches AS (
    SELECT contract_ref, COUNT(*) AS n FROM v_open_breaches GROUP BY contract_ref
),
last_submission AS (
    SELECT contract_ref, MAX(received_at) AS at FROM submissions WHERE contract_ref IS NOT NULL GROUP BY contract_ref
)
SELECT c.contract_ref,
       s.name AS supplier_name,
       CASE WHEN COALESCE(l.breaches, 0) > 0 THEN 'red'
            WHEN COALESCE(l.unknown, 0) > 0 OR COALESCE(o.n, 0) > 0 OR COALESCE(r.n, 0) > 0 THEN 'amber'
            ELSE 'green' END            AS rag,
       COALESCE(ob.n, 0)                AS open_breaches,
       COALESCE(o.n, 0)                 AS overdue_returns,
       UTC_ISO(ls.at)                   AS last_submission_at
FROM contracts c
JOIN suppliers s ON s.supplier_id = c.supplier_id
LEFT JOIN latest l           ON l.contract_ref = c.contract_ref
LEFT JOIN overdue o          ON o.contract_ref = c.contract_ref
LEFT JOIN rejected r         ON r.contract_ref = c.contract_ref
LEFT JOIN open_breaches ob   ON ob.contract_ref = c.contract_ref
LEFT JOIN last_submission ls ON ls.contract_ref = c.contract_ref
WHERE c.in_register = 1;
