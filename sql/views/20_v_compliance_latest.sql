-- The latest period per contract and commitment.
CREATE VIEW v_compliance_latest AS
SELECT contract_ref, supplier_name, commitment, period_start, period_end, status, severity,
       observed_value, threshold, detail, assessed_at
FROM (
    SELECT h.*,
           ROW_NUMBER() OVER (PARTITION BY h.contract_ref, h.commitment ORDER BY h.period_start DESC) AS rn
    FROM v_compliance_history h
) ranked
WHERE rn = 1;
