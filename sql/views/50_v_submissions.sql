CREATE VIEW v_submissions AS
SELECT submission_id, contract_ref, kind, period_start, period_end, status, file_name, file_sha256,
       UTC_ISO(received_at) AS received_at, row_count, error_count, errors, warnings, supersedes_submission_id, source
FROM submissions;
