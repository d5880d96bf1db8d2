"""Residents' voice: the anonymous survey a city opens, answered online or on paper."""
