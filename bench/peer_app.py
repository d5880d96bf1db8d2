"""A peer beside the floor: a typical Flask page made with the libraries CityReady uses.

Like the index of the Flask tutorial's blog: a Flask-Login session, one SQLAlchemy query of the
20 newest posts with their authors, a Jinja template. Served by gunicorn exactly as the app is
(``bench.peer_app:app``, database in ``PEER_DATABASE_URL``), so a row's ratio to the floor can
be read beside what plain Flask with these libraries costs.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, render_template
from flask_login import LoginManager, UserMixin, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader

db = SQLAlchemy()

INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Posts</title></head>
<body><header><h1>Posts</h1></header>
{% for post in posts %}
<article class="post">
  <header><h2>{{ post.title }}</h2>
  <div class="about">by {{ post.author.username }} on {{ post.created.strftime('%Y-%m-%d') }}</div>
  </header>
  <p class="body">{{ post.body }}</p>
</article>
{% if not loop.last %}<hr>{% endif %}
{% endfor %}
</body></html>
"""


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)


class Post(db.Model):  # type: ignore[name-defined,misc]
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    created: so.Mapped[datetime] = so.mapped_column(index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    author: so.Mapped[User] = so.relationship()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "peer"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("PEER_DATABASE_URL", "sqlite://"),
    )
    app.jinja_loader = DictLoader({"index.html": INDEX})
    db.init_app(app)
    login_manager = LoginManager(app)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id))

    @app.get("/login")
    def login() -> str:
        login_user(db.session.get_one(User, 1))
        return "signed in"

    @app.get("/")
    @login_required
    def index() -> str:
        posts = db.session.scalars(
            sa.select(Post)
            .join(Post.author)
            .options(so.contains_eager(Post.author))
            .order_by(Post.created.desc())
            .limit(20)
        ).all()
        return render_template("index.html", posts=posts)

    return app


def seed(url: str, posts: int = 200) -> None:
    """One author and ``posts`` posts in a fresh database."""
    os.environ["PEER_DATABASE_URL"] = url
    peer = create_app()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with peer.app_context():
        db.drop_all()
        db.create_all()
        # Through the tables, not the ORM session: CityReady, imported beside this in the
        # bench, watches every session's flushes for its own models.
        with db.engine.begin() as connection:
            connection.execute(sa.insert(User.__table__), [{"id": 1, "username": "author"}])
            connection.execute(
                sa.insert(Post.__table__),
                [
                    {
                        "author_id": 1,
                        "created": start + timedelta(hours=number),
                        "title": f"Post number {number}",
                        "body": "A paragraph of text, as a blog post has. " * 8,
                    }
                    for number in range(posts)
                ],
            )


app = create_app()
