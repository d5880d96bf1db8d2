"""Request and response plumbing that knows no domain: errors, headers, languages, input
checks, redirects and template helpers."""
