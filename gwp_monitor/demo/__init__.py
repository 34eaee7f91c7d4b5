"""Seeded, realistic sample data: a contract register, supplier returns and a demo landing folder.

The demo (``gwp-monitor demo``), the tests and the benchmarks all run on what this package makes, so
it has to be three things at once:

* **deterministic**: the same seed gives byte-identical data (``seeding``: one generator per purpose).
* **realistic**: most workers are paid at or just above the Real Living Wage, hours look like
  part-time, full-time, zero-hours and casual work, a configurable share of workers is underpaid, and
  injected data-quality problems are the ones suppliers really make. Wage floors come from
  ``gwp_monitor.domain.rates``, periods from ``gwp_monitor.domain.periods`` and columns from
  ``gwp_monitor.domain.templates``, never restated here.
* **fast**: rows are made with numpy in vectorised blocks and turned into Arrow columns without a
  Python loop per row, so ``big_csv.write_payroll_csv`` writes a million rows in about a second.

Modules, from the scenario to the files:

* ``register``: ``demo_register`` (the contracts) and ``write_register`` (their YAML); ``sectors``:
  services, places and names the contracts are made of (``contract_in_london``).
* ``workers``: each supplier's profile and its workforce over time; ``pay``: a month's hours and pay
  from the wage floors.
* ``payroll``: ``make_payroll``; ``workforce``: ``make_workforce``; ``mistakes``: the data-quality
  problems injected into a broken file (``PROBLEM_KINDS``, ``injected_problems``); ``breaches``: the
  commitments broken on purpose (``planted_breaches``).
* ``landing_plan`` and ``landing``: ``write_demo_landing``, the demo's register and landing folder;
  ``files``: one return written as CSV or XLSX.
* ``big_csv``: ``write_payroll_csv``, the big file the benchmarks read.
* ``dates`` and ``seeding``: periods in the spellings callers use, and the seeded generators.
"""
