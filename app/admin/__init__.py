"""Reviewers' journey: dashboard, submissions, review, comparison, export and accounts."""
