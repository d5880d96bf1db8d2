"""Accounts: creating them, signing in with a password, and the password policy."""
