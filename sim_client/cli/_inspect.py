"""``list``, ``get`` and ``delete``: one integration at a time, by id or by name."""

from __future__ import annotations

import click

from sim_client.client import SimClient
from sim_client.desired import masked
from sim_client.errors import NotFoundError
from sim_client.models import SimIntegration

from ._codes import EXIT_OK
from ._output import line, table, to_json, to_yaml, write
from ._prompt import confirm
from ._session import Session, json_option, session_options

_GET_ORDER = ("id", "name", "description", "type", "created", "modified")


class Ambiguous(click.ClickException):
    """A name that more than one integration has (exit code 1)."""


@click.command("list")
@json_option
@session_options
def list_command(session: Session, as_json: bool) -> int:
    """List the integrations: id, name, type, description."""
    integrations = session.run(lambda sim: sim.list_integrations())
    columns = ["id", "name", "type", "description"]
    rows = [{key: i.to_dict().get(key) for key in columns} for i in integrations]
    if as_json:
        write(to_json(rows) + "\n")
    else:
        table(columns, rows)
    return EXIT_OK


@click.command("get")
@click.argument("key", metavar="ID_OR_NAME")
@json_option
@session_options
def get_command(session: Session, key: str, as_json: bool) -> int:
    """Show one integration, by id or name (credential values as "(sensitive)")."""
    wire = session.run(lambda sim: find(sim, key)).to_dict()
    first = [name for name in _GET_ORDER if name in wire]
    document = masked({name: wire[name] for name in [*first, *sorted(wire.keys() - set(first))]})
    write(to_json(document) + "\n" if as_json else to_yaml(document))
    return EXIT_OK


@click.command("delete")
@click.argument("key", metavar="ID_OR_NAME")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking for confirmation.")
@session_options
def delete_command(session: Session, key: str, yes: bool) -> int:
    """Delete one integration, by id or name."""
    integration = session.run(lambda sim: find(sim, key))
    name = integration.to_dict().get("name")
    if not yes and not confirm(f"Delete integration {integration.id} ({name})?"):
        raise click.ClickException("not confirmed; nothing deleted")
    session.run(lambda sim: sim.delete_integration(integration.id))
    line(f"deleted {integration.id}")
    return EXIT_OK


async def find(sim: SimClient, key: str) -> SimIntegration:
    """The integration whose id is ``key`` or else the one whose name it is."""
    try:
        return await sim.get_integration(key)
    except (NotFoundError, ValueError) as error:
        by_id = error
    named = [i for i in await sim.list_integrations() if i.to_dict().get("name") == key]
    if len(named) > 1:
        ids = ", ".join(i.id for i in named)
        raise Ambiguous(f"{len(named)} integrations are named {key!r} ({ids}); give the id")
    if not named:
        raise by_id
    return await sim.get_integration(named[0].id)
