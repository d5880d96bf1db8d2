"""A city official's journey: start an assessment, answer area by area, submit, read the report."""
