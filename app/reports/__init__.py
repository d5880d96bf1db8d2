"""Reports as PDF documents, for people signed in and for API clients with a bearer token."""
