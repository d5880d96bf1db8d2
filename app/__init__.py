"""CityReady: a city government's smart-city readiness, scored against the paper's problems."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "API_TOKEN_MAX_AGE_DAYS": 30,
    "ASSESSMENTS_PER_PAGE": 20,
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGES": ("en", "zh"),
    # WTForms' own messages ("This field is required.") follow the page's language.
    "WTF_I18N_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": None,
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py and the environment, or a test config."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        from app.config import environment_overrides

        app.config.from_pyfile("config.py", silent=True)
        app.config.from_mapping(environment_overrides(Path(app.instance_path)))
    else:
        app.config.from_mapping(test_config)

    register_extensions(app)
    register_blueprints(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import sqlite
    from app.extensions import content, csrf, db, login_manager, migrate
    from app.i18n import init_babel

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_babel(app)
    content.init_app(app)
    sqlite.tune_connections()


def register_blueprints(app: Flask) -> None:
    from app import cli, errors, templating
    from app.api.views import bp as api_bp
    from app.assessment.views import bp as assessment_bp
    from app.auth.views import bp as auth_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(assessment_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(cli.bp)
    errors.register(app)
    templating.register(app)
