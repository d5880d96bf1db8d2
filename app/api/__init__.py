"""JSON API v1: the contract in docs/api.md is stable; extend it, never rename or drop."""
