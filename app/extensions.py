"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.core.questionnaire import (
    Catalogue,
    Content,
    QuestionBank,
    StandardCatalogue,
    load_content,
)
from app.core.resident_survey import ResidentSurvey, load_resident_survey


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable, so Alembic can alter them later."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)

# mypy cannot see through db.Model, which Flask-SQLAlchemy builds at run time from Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
# Flask-Login's own message is English; ours is translated when it is flashed (a lazy string
# cannot go into the session cookie), and says "sign in" as the button does.
login_manager.login_message = _l("Please sign in to see this page.")  # type: ignore[assignment]
login_manager.localize_callback = str


@lru_cache(maxsize=4)
def _load_content(directory: str | None) -> Content:
    return load_content(Path(directory)) if directory else load_content()


@lru_cache(maxsize=1)
def _load_resident_survey() -> ResidentSurvey:
    return load_resident_survey()


class ContentStore:
    """Gives views the validated question banks and countermeasures, parsed once per process."""

    def init_app(self, app: Flask) -> None:
        app.extensions["cityready_content"] = _load_content(app.config.get("CONTENT_DIR"))
        app.extensions["cityready_resident_survey"] = _load_resident_survey()

    @property
    def _loaded(self) -> Content:
        return current_app.extensions["cityready_content"]  # type: ignore[no-any-return]

    @property
    def current(self) -> QuestionBank:
        return self._loaded.current

    @property
    def catalogue(self) -> Catalogue:
        return self._loaded.catalogue

    def catalogue_for(self, version: str) -> Catalogue:
        return self._loaded.catalogue_for(version)

    @property
    def standards(self) -> StandardCatalogue:
        return self._loaded.standards

    @property
    def resident_survey(self) -> ResidentSurvey:
        return current_app.extensions["cityready_resident_survey"]  # type: ignore[no-any-return]

    def bank(self, version: str) -> QuestionBank:
        return self._loaded.bank(version)

    @property
    def banks(self) -> Mapping[str, QuestionBank]:
        """Every published bank by version, the current one among them."""
        return self._loaded.banks

    def newer_banks(self, version: str) -> tuple[QuestionBank, ...]:
        """The banks published after ``version``, oldest first."""
        return self._loaded.newer_banks(version)


content = ContentStore()
babel = Babel()
