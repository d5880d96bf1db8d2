"""Notifications: an in-app inbox for everyone, and e-mail for those who keep it on."""
