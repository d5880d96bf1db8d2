"""Offline surveys: a printable blank questionnaire, and keying its answers in afterwards."""
