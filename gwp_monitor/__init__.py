"""gwp-monitor: hold suppliers to their Good Work commitments (see docs/architecture.md for the layout).

A regular package, not a namespace one: ``importlib.resources`` then resolves it to this one folder
(gwp_monitor/resources.py relies on that), and a checkout on PYTHONPATH is never merged with another
copy of the package installed elsewhere. Nothing is imported here: the DAG files import
``gwp_monitor.airflow_support`` and must not pay for anything else at parse time.
"""
