"""``risk serve`` (gunicorn, several workers) and ``risk keys`` (API keys)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import click

from risk.cli.context import AppContext, pass_app
from service.auth import ROLES, create_key, list_keys, revoke_key

log = logging.getLogger(__name__)


def _has_gunicorn() -> bool:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def _workers() -> int:
    return max(2, min(4, (os.cpu_count() or 1) + 1))


@click.command(short_help="Serve the API and page (gunicorn, several workers).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--workers", type=int, default=None, help="Worker processes (default: cores + 1, 2..4).")
@click.option("--dev", is_flag=True, help="Flask's single-process development server instead.")
@pass_app
def serve(app: AppContext, host: str, port: int, workers: int | None, dev: bool) -> None:
    """Serve the district risk API on HOST:PORT."""
    app.store  # create or upgrade the schema once, before the workers start  # noqa: B018
    if dev or sys.platform == "win32" or not _has_gunicorn():
        from service import create_app

        application = create_app()
        try:
            from waitress import serve as waitress_serve  # pure-Python production server, if installed
        except ImportError:
            click.echo(
                f"serving with Flask's own server on http://{host}:{port} (install gunicorn for production)"
            )
            application.run(host=host, port=port, threaded=True)
            return
        click.echo(f"serving with waitress on http://{host}:{port}")
        waitress_serve(application, host=host, port=port, threads=8)
        return
    count = workers or _workers()
    click.echo(f"serving on http://{host}:{port} with gunicorn ({count} workers)")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(count),
        "--threads",
        "4",
        "--bind",
        f"{host}:{port}",
        "--timeout",
        "120",
        "--graceful-timeout",
        "20",
        "--access-logfile",
        "-",
        "service.wsgi:app",
    ]
    raise SystemExit(subprocess.call(command))


serve_command = serve  # the demo stage's own `serve` flag shadows the name


@click.group(short_help="Create, list and revoke API keys.")
def keys() -> None:
    """API keys: viewer reads, analyst also ingests/trains/promotes, admin also manages keys."""


@keys.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--label", help="Who or what the key is for.")
@pass_app
def create(app: AppContext, role: str, label: str | None) -> None:
    """Create a key; it is printed once, as the last line, and stored only as a hash."""
    key_id, key = create_key(app.store, role, label)
    click.echo(f"key {key_id} ({role}) created; store it now, it cannot be shown again:")
    click.echo(key)


@keys.command("list")
@pass_app
def list_command(app: AppContext) -> None:
    """Every key: id, role, label, created, revoked."""
    for k in list_keys(app.store):
        click.echo(
            f"{k.id}\t{k.role}\t{k.prefix}...\t{k.label or ''}\t{k.created_at:%Y-%m-%d}\t"
            f"{'revoked ' + str(k.revoked_at) if k.revoked_at else 'active'}"
        )


@keys.command("revoke")
@click.argument("key_id", type=int)
@pass_app
def revoke(app: AppContext, key_id: int) -> None:
    """Revoke key KEY_ID."""
    if not revoke_key(app.store, key_id):
        raise click.ClickException(f"no active key {key_id}")
    click.echo(f"key {key_id} revoked")


def demo_stage(app: AppContext, serve: bool = False) -> None:
    """Demo stage: an admin key for the demo, then serve on 127.0.0.1:8000 (unless --no-serve)."""
    key_id, key = create_key(app.store, "admin", "demo")
    click.echo(f"demo admin key (id {key_id}): {key}")
    if serve:
        context = click.get_current_context()
        context.invoke(serve_command, host="127.0.0.1", port=8000, workers=None, dev=False)
