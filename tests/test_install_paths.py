"""Every install path speaks Chinese: docs/deploy.md followed to the letter in a checkout, and a
wheel built from the repository installed elsewhere. The .mo catalogs are build output, never
committed; the package build compiles them (setup.py), and these tests prove it does.

Marked ``install`` (left out of a plain pytest, run by CI): it installs the project into a fresh
virtualenv from the package index pip is configured with, which takes a minute or two.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.live_servers import free_port

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parent.parent
CHINESE_SIGN_IN = "登录"
CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(  # noqa: S603 - our own commands, fixed arguments
        [str(a) for a in args], cwd=cwd, env=env, check=True, capture_output=True, timeout=300
    )


def checkout(into: Path) -> Path:
    """The repository's files as a fresh clone has them: tracked and new, nothing git ignores
    (no compiled catalogs, no virtualenv, no instance folder)."""
    git = shutil.which("git")
    assert git is not None, "the checkout is copied as git lists it"
    listed = subprocess.run(  # noqa: S603 - git with fixed arguments
        [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            target = into / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    assert not list(into.glob("app/translations/*/LC_MESSAGES/*.mo"))
    return into


def production_env(public_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "CITYREADY_"))}
    for name in ("DATABASE_URL", "TEST_DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(name, None)
    return {**env, "PUBLIC_URL": public_url, "PYTHONUNBUFFERED": "1"}


def chinese_sign_in_page(port: int, deadline: float) -> str:
    """The sign-in page as a browser set to Chinese gets it, once the server answers."""
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/login", headers=CHINESE)
            return connection.getresponse().read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
        finally:
            connection.close()


def test_the_documented_deployment_serves_chinese(tmp_path: Path) -> None:
    """docs/deploy.md: a checkout, ``pip install .`` (not -e), ``flask --app app db upgrade``,
    gunicorn started in the checkout."""
    repo = checkout(tmp_path / "cityready")
    run(sys.executable, "-m", "venv", ".venv", cwd=repo)
    run(".venv/bin/pip", "install", "--quiet", ".", cwd=repo)
    port = free_port()
    env = production_env(f"http://127.0.0.1:{port}")
    run(".venv/bin/flask", "--app", "app", "db", "upgrade", cwd=repo, env=env)
    server = subprocess.Popen(  # noqa: S603 - the installed gunicorn, fixed arguments
        [".venv/bin/gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = chinese_sign_in_page(port, time.monotonic() + 60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert '<html lang="zh-Hans">' in page
    assert CHINESE_SIGN_IN in page


def test_a_wheel_installed_elsewhere_serves_chinese(tmp_path: Path) -> None:
    """The wheel carries its compiled catalogs; the app runs from a folder with no checkout.

    The wheel goes into a folder of its own (``pip install --target``) and its dependencies come
    from this test's environment: what is under test is the wheel's content, not a second
    download of the dependencies, and no environment but the temporary folder is touched."""
    repo = checkout(tmp_path / "cityready")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", "dist", ".", cwd=repo)
    (wheel,) = (repo / "dist").glob("cityready-*.whl")
    installed = tmp_path / "installed"
    run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--target",
        installed,
        wheel,
        cwd=tmp_path,
    )
    assert list((installed / "app" / "translations").glob("*/LC_MESSAGES/messages.mo"))
    shutil.rmtree(repo)
    workdir = tmp_path / "server"
    workdir.mkdir()
    env = {**production_env("http://localhost"), "PYTHONPATH": str(installed)}
    probe = (
        "import sys; from app import create_app; app = create_app(); "
        f"assert app.root_path.startswith({str(installed)!r}), app.root_path; "
        "page = app.test_client().get('/login', headers={'Accept-Language': 'zh-CN'}); "
        "print(page.get_data(as_text=True))"
    )
    page = subprocess.run(  # noqa: S603 - this test's python, fixed arguments
        [sys.executable, "-c", probe],
        cwd=workdir,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert '<html lang="zh-Hans">' in page
    assert CHINESE_SIGN_IN in page
