"""Provinces and the cities placed in them: the reach of provincial reviewers and rounds."""
