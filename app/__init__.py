"""CityReady: a city government's smart-city readiness, scored against the paper's problems."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "API_TOKEN_MAX_AGE_DAYS": 30,
    # werkzeug's default method, spelled out so production keeps it; the tests' config sets a
    # cheap one, as scrypt's fifth of a second per hash made the suite take minutes.
    "PASSWORD_HASH_METHOD": "scrypt",
    "ASSESSMENTS_PER_PAGE": 20,
    # Submitted reports and API answers kept rendered per worker (app/platform/caching.py);
    # 0 turns off.
    "FROZEN_CACHE_SIZE": 512,
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGES": ("en", "zh"),
    # Pages and PDFs show times on this clock, with the zone named; exports and the API stay UTC.
    "DISPLAY_TIMEZONE": "Asia/Shanghai",
    # WTForms' own messages ("This field is required.") follow the page's language.
    "WTF_I18N_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": None,
    # Cookies: never readable by scripts, never sent on cross-site POSTs. The Secure flag is
    # switched on outside development in app.config.environment_overrides.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
    "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=12),
    # Failed sign-ins (pages and API tokens) allowed per client address and per account.
    "LOGIN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "10 per 15 minutes",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_ENABLED": True,
    # Resident survey answers one address may send, counted under a salted hash of it.
    "SURVEY_LIMIT_PER_ADDRESS": "5 per hour",
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host.
    "PROXY_FIX_HOPS": 0,
    "PDF_RENDER_TIMEOUT": 25,
    "PDF_CACHE_ENTRIES": 32,
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py and the environment, or a test config."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        from app.config import UnsafeConfiguration, environment_overrides, production_problems

        app.config.from_pyfile("config.py", silent=True)
        app.config.from_mapping(environment_overrides(Path(app.instance_path), app.config))
        if problems := production_problems(app.config, app.debug):
            raise UnsafeConfiguration("CityReady refuses to start: " + " ".join(problems))
    else:
        app.config.from_mapping(test_config)
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

    from app.extensions import content, csrf, db, limiter, login_manager, migrate
    from app.platform import pdf, sqlite
    from app.platform.caching import frozen_cache
    from app.web import headers, input_guard
    from app.web.i18n import init_babel

    if hops := app.config["PROXY_FIX_HOPS"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_babel(app)
    content.init_app(app)
    frozen_cache.init_app(app)
    limiter.init_app(app)
    headers.init_app(app)
    input_guard.init_app(app)
    pdf.init_app(app)
    sqlite.tune_connections()


def register_blueprints(app: Flask) -> None:
    from app import cli
    from app.admin import audit as _admin_audit  # noqa: F401  (adds /admin/audit to admin_bp)
    from app.admin import users as _admin_users  # noqa: F401  (adds /admin/users to admin_bp)
    from app.admin.views import bp as admin_bp
    from app.api.views import bp as api_bp
    from app.assessments.views import bp as assessment_bp
    from app.auth.views import bp as auth_bp
    from app.departments.views import bp as departments_bp
    from app.paper.views import bp as paper_bp
    from app.plans.views import bp as plan_bp
    from app.reports.views import bp as reports_bp
    from app.settings.views import bp as settings_bp
    from app.surveys.views import bp as residents_bp
    from app.web import errors, templating

    app.register_blueprint(auth_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(assessment_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(plan_bp)
    app.register_blueprint(departments_bp)
    app.register_blueprint(residents_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(reports_bp)
    app.register_blueprint(paper_bp)
    app.register_blueprint(cli.bp)
    errors.register(app)
    templating.register(app)
