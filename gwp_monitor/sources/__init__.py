"""Landing sources (spec 9): where suppliers' returns are fetched from before the pipeline reads them.

A source is a URL in configuration (``GWP_SOURCES``) or on a supplier in the register:
``file:///folder``, ``sftp://user@host[:port]/folder``, ``imaps://user@host[:port]/Mailbox`` or
``portal``. Each fetched file lands through ``gwp_monitor.ingest.landed`` with the received time its
source gives, exactly once (the ``fetched_files`` ledger), and after processing it moves to the
processed area and is deleted after the retention period (``retention``).
"""
