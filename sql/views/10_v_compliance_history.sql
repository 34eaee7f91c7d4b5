-- One row per contract, commitment and period; verdicts of superseded submissions are excluded.
CREATE VIEW v_compliance_history AS
SELECT v.contract_ref,
       s.name          AS supplier_name,
       v.commitment,
       v.period_start,
       v.period_end,
       v.status,
       v.severity,
       v.observed_value,
       v.threshold,
       v.detail,
       UTC_ISO(v.assessed_at) AS assessed_at
FROM verdicts v
JOIN contracts c ON c.contract_ref = v.contract_ref
JOIN suppliers s ON s.supplier_id = c.supplier_id
LEFT JOIN submissions sub ON sub.submission_id = v.submission_id
WHERE v.submission_id IS NULL OR sub.status = 'accepted';
