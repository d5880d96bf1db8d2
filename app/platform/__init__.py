"""Infrastructure that knows no domain: caching, SQLite tuning, the audit log, PDF rendering
and password hashing."""
