"""The paper's model, pure: questionnaires, scoring, levels, matching and the figures
built on them. Nothing here imports Flask, the database or another part of ``app``."""
