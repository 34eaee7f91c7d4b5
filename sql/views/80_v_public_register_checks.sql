-- Each contract's accepted workforce periods set beside the UK gender pay gap register (issue 17):
-- what the supplier published for the period's reporting year (2017 = 2017-18) and what it returned.
-- published is null while it cannot be told (no Companies House number, register not imported, not
-- yet due); matched_by is 'company_number' or 'none' (a name is only ever name_suggestion).
CREATE VIEW v_public_register_checks AS
SELECT g.contract_ref,
       g.supplier_id,
       g.reporting_year,
       g.published,
       g.published_median_pct,
       g.published_mean_pct,
       g.returned_median_pct,
       g.difference_pct,
       g.submitted_late,
       g.matched_by,
       g.period_start,
       g.period_end,
       g.company_number,
       g.employer_name,
       g.register_link,
       g.name_suggestion,
       g.note
FROM gpg_checks g
JOIN contracts c ON c.contract_ref = g.contract_ref
WHERE c.in_register = 1;
