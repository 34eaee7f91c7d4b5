-- Timeliness of every expected return as of the latest run's as-of date.
CREATE VIEW v_return_timeliness AS
SELECT contract_ref, kind, period_start, period_end, due_date, status
FROM return_timeliness;
