"""`retail-sync`: the operator CLI over the ops API (README, "Operator CLI").

    retail-sync find <any id>          the one command for a stuck order: state, lines, trace, next action
    retail-sync order <channel> <id>   retail-sync trace <correlation id>   retail-sync inventory <sku>
    retail-sync exceptions list|retry|resolve    retail-sync dlq redrive <queue>
    retail-sync orders replay          retail-sync orders release <channel> <id>
    retail-sync orders cancel <channel> <id>
    retail-sync recon start|list <kind>

`--api-url` (or RETAIL_SYNC_API_URL, default the local stack) picks the API; a URL that is not on
this machine is called with SigV4 and the caller's AWS credentials. `--json` prints the API's
answer as is. Exit status: 0 when the API answered, 1 on an error answer (its code and message are
printed), an unreachable API or missing credentials, 2 on a usage error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from cli import render
from cli.client import API_URL_ENV, DEFAULT_API_URL, ApiError, ConfigError, OpsClient

app = typer.Typer(
    name="retail-sync",
    help="Operate retail-sync: find orders, read traces, retry exceptions, replay, reconcile.",
    no_args_is_help=True,
    add_completion=False,
)
exceptions_app = typer.Typer(help="List, retry and resolve exceptions.", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead-letter queues.", no_args_is_help=True)
orders_app = typer.Typer(help="Orders parked while the ERP was down.", no_args_is_help=True)
recon_app = typer.Typer(help="Reconciliation runs.", no_args_is_help=True)
app.add_typer(exceptions_app, name="exceptions")
app.add_typer(dlq_app, name="dlq")
app.add_typer(orders_app, name="orders")
app.add_typer(recon_app, name="recon")

JsonOption = Annotated[bool, typer.Option("--json", help="Print the API's JSON answer.")]


@dataclass
class Runtime:
    """What every command calls the API with; tests set `transport` to answer from the handler."""

    api_url: str = DEFAULT_API_URL
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = None
    console: Console | None = None

    def client(self) -> OpsClient:
        return OpsClient.connect(self.api_url, timeout=self.timeout, transport=self.transport)

    def out(self) -> Console:
        if self.console is None:
            self.console = Console(soft_wrap=False)
        return self.console


@app.callback()
def configure(
    ctx: typer.Context,
    api_url: Annotated[
        str, typer.Option("--api-url", envvar=API_URL_ENV, help="Ops API base URL (deployed: signed with SigV4).")
    ] = DEFAULT_API_URL,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for an answer.")] = 30.0,
) -> None:
    runtime = ctx.obj if isinstance(ctx.obj, Runtime) else Runtime()
    runtime.api_url, runtime.timeout = api_url, timeout
    ctx.obj = runtime


def _call(ctx: typer.Context, request: Callable[[OpsClient], Any]) -> Any:
    """The API's answer, or the error printed and exit status 1."""
    runtime: Runtime = ctx.obj
    try:
        client = runtime.client()
        with client.http:
            return request(client)
    except ApiError as error:
        where = f" (correlation id {error.correlation_id})" if error.correlation_id else ""
        typer.echo(f"error: {error.code} ({error.status}): {error.message}{where}", err=True)
    except ConfigError as error:
        typer.echo(f"error: {error}", err=True)
    except httpx.HTTPError as error:
        typer.echo(f"error: cannot reach {runtime.api_url}: {error}", err=True)
    raise typer.Exit(1)


def _emit(ctx: typer.Context, body: Any, as_json: bool, show: Callable[[Console, Any], None]) -> None:
    if as_json:
        typer.echo(json.dumps(body, indent=2, sort_keys=True))
    else:
        show(ctx.obj.out(), body)


@app.command()
def find(
    ctx: typer.Context,
    any_id: Annotated[str, typer.Argument(metavar="ID", help="Channel order id, our id, ERP id or correlation id.")],
    as_json: JsonOption = False,
) -> None:
    """Find an order by any of its ids: its state, lines, trace, and where it is stuck with the next action."""
    _emit(ctx, _call(ctx, lambda api: api.find(any_id)), as_json, render.show_find)


@app.command()
def order(ctx: typer.Context, channel: str, channel_order_id: str, as_json: JsonOption = False) -> None:
    """One channel order as recorded."""
    _emit(ctx, _call(ctx, lambda api: api.order(channel, channel_order_id)), as_json, render.show_order)


@app.command()
def trace(ctx: typer.Context, correlation_id: str, as_json: JsonOption = False) -> None:
    """Every hop of one transaction, oldest first."""

    def show(console: Console, body: Any) -> None:
        console.print(render.trace_table(body["events"], title=f"transaction {body['correlation_id']}"))

    _emit(ctx, _call(ctx, lambda api: api.transaction(correlation_id)), as_json, show)


@app.command()
def inventory(ctx: typer.Context, sku: str, as_json: JsonOption = False) -> None:
    """Stock of one SKU per location, and what each channel may sell."""
    _emit(ctx, _call(ctx, lambda api: api.inventory(sku)), as_json, render.show_inventory)


@exceptions_app.command("list")
def exceptions_list(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option(help="reconciliation, enrichment, ...")] = None,
    status: Annotated[str | None, typer.Option(help="open or resolved")] = None,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    as_json: JsonOption = False,
) -> None:
    """Exceptions of one kind (the API's default kind when none is given)."""

    def show(console: Console, body: Any) -> None:
        title = f"{body.get('status', '')} {body.get('kind', '')} exceptions".strip()
        console.print(render.exceptions_table(body.get("exceptions") or [], title=title))

    _emit(ctx, _call(ctx, lambda api: api.exceptions(kind, status, limit)), as_json, show)


@exceptions_app.command("retry")
def exceptions_retry(ctx: typer.Context, exception_id: str, as_json: JsonOption = False) -> None:
    """Run the failed work again (its effects still happen once)."""

    def show(console: Console, body: Any) -> None:
        console.print(f"retry queued for {body.get('id', exception_id)} (retries: {body.get('retries', '-')})")

    _emit(ctx, _call(ctx, lambda api: api.retry_exception(exception_id)), as_json, show)


@exceptions_app.command("resolve")
def exceptions_resolve(
    ctx: typer.Context,
    exception_id: str,
    note: Annotated[str, typer.Option(help="Why it is closed (kept with the audit trail).")],
    action: Annotated[
        str | None, typer.Option(help="reconciliation: accept_theirs or keep_ours; others: dismiss (the default)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Close an exception with a note."""

    def show(console: Console, body: Any) -> None:
        console.print(f"{body.get('id', exception_id)} is {body.get('status', '-')} ({body.get('resolution', '-')})")

    _emit(ctx, _call(ctx, lambda api: api.resolve_exception(exception_id, note, action)), as_json, show)


@dlq_app.command("redrive")
def dlq_redrive(ctx: typer.Context, queue: str, as_json: JsonOption = False) -> None:
    """Move a dead-letter queue's messages back to their source queue."""

    def redrive(api: OpsClient) -> Any:
        try:
            return api.redrive(queue)
        except ApiError as error:
            if error.status == 404 and error.message == "no such route":
                raise ApiError(
                    404,
                    error.code,
                    "this API has no DLQ redrive route (POST /v1/ops/dlq/{queue}/redrive): "
                    "redrive from the SQS console or `aws sqs start-message-move-task`",
                    error.correlation_id,
                ) from error
            raise

    def show(console: Console, body: Any) -> None:
        console.print(f"moved {body.get('moved', 0)} message(s) from the {queue} dead-letter queue")

    _emit(ctx, _call(ctx, redrive), as_json, show)


@orders_app.command("replay")
def orders_replay(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Restart the orders parked while the ERP was down (at most 100 a call)."""

    def show(console: Console, body: Any) -> None:
        console.print(f"replayed {body.get('replayed', 0)} parked order(s)")

    _emit(ctx, _call(ctx, lambda api: api.replay_parked()), as_json, show)


@orders_app.command("release")
def orders_release(
    ctx: typer.Context,
    channel: Annotated[str, typer.Argument(help="the channel (shopify, amazon, ...)")],
    channel_order_id: Annotated[str, typer.Argument(help="the order's id there")],
    as_json: JsonOption = False,
) -> None:
    """Start an order ON_HOLD for stock again now (still short: it is held again)."""
    done = f"{channel} order {channel_order_id} started again"
    _held_order_command(ctx, as_json, done, lambda api: api.release_held(channel, channel_order_id))


@orders_app.command("cancel")
def orders_cancel(
    ctx: typer.Context,
    channel: Annotated[str, typer.Argument(help="the channel (shopify, amazon, ...)")],
    channel_order_id: Annotated[str, typer.Argument(help="the order's id there")],
    as_json: JsonOption = False,
) -> None:
    """Cancel an order ON_HOLD for stock (the channel is not told: cancel it there too)."""
    done = f"{channel} order {channel_order_id} is being cancelled"
    _held_order_command(ctx, as_json, done, lambda api: api.cancel_held(channel, channel_order_id))


def _held_order_command(ctx: typer.Context, as_json: bool, done: str, call: Callable[[OpsClient], Any]) -> None:
    def show(console: Console, body: Any) -> None:
        console.print(f"{done}: {body.get('execution')}")

    _emit(ctx, _call(ctx, call), as_json, show)


@recon_app.command("start")
def recon_start(ctx: typer.Context, kind: str, as_json: JsonOption = False) -> None:
    """Start a reconciliation run now."""

    def show(console: Console, body: Any) -> None:
        console.print(f"{body.get('kind', kind)} reconciliation {body.get('run_id')} is {body.get('status')}")

    _emit(ctx, _call(ctx, lambda api: api.start_reconciliation(kind)), as_json, show)


@recon_app.command("list")
def recon_list(
    ctx: typer.Context, kind: str, limit: Annotated[int | None, typer.Option(min=1)] = None, as_json: JsonOption = False
) -> None:
    """Runs of one kind, newest first, with their variance counts."""
    _emit(ctx, _call(ctx, lambda api: api.reconciliations(kind, limit)), as_json, render.show_runs)


def main() -> None:
    """The console script (`[project.scripts]`): click exits with the command's status."""
    app(obj=Runtime())


if __name__ == "__main__":
    main()
