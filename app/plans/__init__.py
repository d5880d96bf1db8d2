"""Targets and the action plan: what a city aims for and what it does about its weak points."""
