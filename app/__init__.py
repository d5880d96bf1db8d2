"""CityReady: a city government's smart-city readiness, scored against the paper's problems."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy.orm as so
from flask import Flask

from app.config import (
    DEFAULTS,
    UnsafeConfiguration,
    environment_overrides,
    host_settings,
    production_problems,
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py and the environment, or a test config."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_mapping(environment_overrides(Path(app.instance_path), app.config))
        app.config.from_mapping(host_settings(app.config))
        if problems := production_problems(app.config, app.debug):
            raise UnsafeConfiguration("CityReady refuses to start: " + " ".join(problems))
    else:
        app.config.from_mapping(test_config)
        app.config.from_mapping(host_settings(app.config))
    if not str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        # A database server may drop idle connections; a SQLite file never does, and checking
        # would cost every request a statement.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    # A session kept across browser restarts still ends at the absolute timeout.
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["SESSION_ABSOLUTE_TIMEOUT"]

    register_extensions(app)
    register_blueprints(app)
    return app


def register_extensions(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from app.extensions import content, csrf, db, login_manager, mail, migrate
    from app.notifications import mail as notifications_mail
    from app.platform import data_version, pdf, sqlite
    from app.platform.caching import frozen_cache
    from app.web import headers, input_guard
    from app.web.i18n import init_babel

    if hops := app.config["PROXY_FIX_HOPS"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )

    # First, so that an oversized or undecodable body is refused before CSRFProtect or
    # sign-in read it (and before CSRFProtect consumes the form the guard must inspect).
    input_guard.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    init_babel(app)
    content.init_app(app)
    frozen_cache.init_app(app)
    headers.init_app(app)
    pdf.init_app(app)
    sqlite.tune_connections()
    data_version.watch(so.Session)
    notifications_mail.watch(so.Session)


def register_blueprints(app: Flask) -> None:
    from app import cli
    from app.admin import audit as _admin_audit  # noqa: F401  (adds /admin/audit to admin_bp)
    from app.admin import users as _admin_users  # noqa: F401  (adds /admin/users to admin_bp)
    from app.admin.views import bp as admin_bp
    from app.api.views import bp as api_bp
    from app.assessments.views import bp as assessment_bp
    from app.auth.views import bp as auth_bp
    from app.departments.views import bp as departments_bp
    from app.divisions.views import bp as divisions_bp
    from app.evidence.views import bp as evidence_bp
    from app.notifications.views import bp as notifications_bp
    from app.paper.views import bp as paper_bp
    from app.plans.views import bp as plan_bp
    from app.reports.views import bp as reports_bp
    from app.rounds.views import bp as rounds_bp
    from app.settings.views import bp as settings_bp
    from app.surveys.views import bp as residents_bp
    from app.web import errors, templating

    app.register_blueprint(auth_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(assessment_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(divisions_bp, url_prefix="/provinces")
    app.register_blueprint(rounds_bp, url_prefix="/rounds")
    app.register_blueprint(notifications_bp, url_prefix="/inbox")
    app.register_blueprint(plan_bp)
    app.register_blueprint(departments_bp)
    app.register_blueprint(evidence_bp)
    app.register_blueprint(residents_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(reports_bp)
    app.register_blueprint(paper_bp)
    app.register_blueprint(cli.bp)
    errors.register(app)
    templating.register(app)
