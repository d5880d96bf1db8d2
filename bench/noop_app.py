"""The floor: a do-nothing Flask route, served by gunicorn exactly as the app is.

Every figure in bench/results.md is also given as a ratio to this one's, so the figures say how
much CityReady costs over Flask itself on the same machine at the same moment.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def nothing() -> str:
    return "ok"
