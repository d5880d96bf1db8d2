"""Documents attached to answers as evidence: received, checked, kept and served."""
