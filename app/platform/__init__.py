"""Infrastructure that knows no domain: caching, SQLite tuning, the audit log and PDF
rendering."""
