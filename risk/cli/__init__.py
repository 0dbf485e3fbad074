"""The ``risk`` command line.

Commands of the higher layers (features, models, service) plug in through the
``risk.commands`` entry-point group, so this package never imports them.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

import click

from risk import __version__
from risk.cli.context import AppContext
from risk.cli.data import ingest, runs, status
from risk.cli.demo import demo
from risk.cli.synth import grid, synth

log = logging.getLogger(__name__)


class PluginGroup(click.Group):
    """The main group; higher layers' commands are loaded from entry points when first asked for.

    Loading lazily (not at import) lets those layers import :mod:`risk.cli.context` themselves.
    """

    def _plugins(self) -> dict[str, click.Command]:
        if not hasattr(self, "_loaded"):
            self._loaded: dict[str, click.Command] = {}
            for entry in sorted(entry_points(group="risk.commands"), key=lambda e: e.name):
                try:
                    self._loaded[entry.name] = entry.load()
                except Exception:  # a broken plug-in must not take the whole CLI down
                    log.exception("could not load the %r command", entry.name)
        return self._loaded

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugins()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._plugins().get(name)


@click.group(cls=PluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="risk")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """District violence-risk early warning: ingest, features, models, service."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = AppContext.from_environment()
    ctx.call_on_close(ctx.obj.close)


for command in (synth, grid, ingest, runs, status, demo):
    main.add_command(command)
