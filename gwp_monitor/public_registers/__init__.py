"""Public registers: suppliers' own figures set beside what the government publishes about them.

The stage reads as the pipeline does, for one outside source at a time (today the UK gender pay gap
register):

    gpg_source.py    a register file from a local path or an HTTP(S) URL, read by column name
    gpg_quality.py   its own Great Expectations suite (expectations/gpg_register.json), via the one
                     GX context of validate/expectations.py; a malformed file is refused whole
    gpg_store.py     one snapshot per reporting year (content hash: the same file changes nothing),
                     and the workforce returns' aggregate figures the checks compare with
    companies.py     Companies House numbers normalised; names only ever suggest a match
    gpg_checks.py    per contract and workforce period: matched, published, consistent; the verdicts
                     of gpg_published and gpg_consistent decided by GX like every commitment
    importing.py     import + re-check, used by `gwp-monitor registers import-gpg` and the DAG
"""
