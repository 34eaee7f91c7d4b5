"""The supplier portal (spec 8): FastAPI pages and JSON API over the reporting database."""
