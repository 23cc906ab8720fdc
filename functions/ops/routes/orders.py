"""Orders: a transaction's timeline, find by any id, one order, the replay of parked orders."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.ops.routes._http import answer, caller, deps
from shared.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from shared.adapters.held_orders import HeldOrdersPort
    from shared.adapters.order_flow import OrderFlowPort
    from shared.adapters.state_store import StateStore

    HeldOrderStart = Callable[[HeldOrdersPort, StateStore, OrderFlowPort, str], str | None]

router = Router()


@router.get("/v1/ops/transactions/<correlation_id>")
def get_transaction(correlation_id: str) -> Response:
    from functions.ops.logic.views import transaction_timeline

    return answer(transaction_timeline(correlation_id, deps(router).trace))


@router.get("/v1/ops/find")
def find_by_any_id() -> Response:
    from functions.ops.logic import find as find_ops

    given = deps(router)
    any_id = find_ops.parse_id(router.current_event.get_query_string_value("id", None))
    return answer(find_ops.find(any_id, given.store, given.trace, given.kinds))


@router.get("/v1/ops/orders/<channel>/<channel_order_id>")
def get_order(channel: str, channel_order_id: str) -> Response:
    from functions.ops.logic.views import order_view

    given = deps(router)
    return answer(order_view(channel, channel_order_id, given.store, given.instructions, given.channel_calls))


@router.post("/v1/ops/parked/orders/replay")
def replay_parked() -> Response:
    from functions.ops.models.responses import ReplayResult
    from shared.parked_replay import replay_parked_orders

    given = deps(router)
    if given.parking is None or given.flow is None:
        raise UpstreamUnavailable("parked-order replay is not configured (parking queue, order flow)")
    return answer(ReplayResult(replayed=replay_parked_orders(given.parking, given.flow, backlog=given.backlog)))


@router.post("/v1/ops/orders/<channel>/<channel_order_id>/cancel")
def cancel_held(channel: str, channel_order_id: str) -> Response:
    """An order ON_HOLD for stock, cancelled by an operator (shared/held_retry.py)."""
    from shared.held_retry import cancel_held_order

    reason = f"cancelled by an operator ({caller(router)})"
    return _on_held_order(channel, channel_order_id, "cancelling", partial(cancel_held_order, reason=reason))


@router.post("/v1/ops/orders/<channel>/<channel_order_id>/release")
def release_held(channel: str, channel_order_id: str) -> Response:
    """An order ON_HOLD for stock, started again now (shared/held_retry.py)."""
    from shared.held_retry import release_held_order

    return _on_held_order(channel, channel_order_id, "releasing", release_held_order)


def _on_held_order(channel: str, channel_order_id: str, doing: str, start: HeldOrderStart) -> Response:
    """202 with the execution `start(held, store, flow, order_id)` began for a held order; 404 when
    the order is not ON_HOLD."""
    from functions.ops.models.responses import HeldRelease
    from shared.errors import NotFound
    from shared.models import order_id_for

    given = deps(router)
    if given.held is None or given.flow is None:
        raise UpstreamUnavailable(f"{doing} held orders is not configured (state table, order flow)")
    order_id = order_id_for(channel, channel_order_id)
    execution = start(given.held, given.store, given.flow, order_id)
    if execution is None:
        raise NotFound(f"order {channel}/{channel_order_id} is not ON_HOLD")
    return answer(HeldRelease(order_id=order_id, execution=execution), status=202)
