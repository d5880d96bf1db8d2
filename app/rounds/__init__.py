"""Evaluation rounds: a reviewer calls the cities of a province to assess themselves by a date."""
