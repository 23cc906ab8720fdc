"""Orders: a transaction's timeline, find by any id, one order, the replay of parked orders."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.ops.routes._http import answer, caller, deps
from shared.errors import UpstreamUnavailable

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

    return answer(order_view(channel, channel_order_id, deps(router).store))


@router.post("/v1/ops/parked/orders/replay")
def replay_parked() -> Response:
    from functions.ops.models.responses import ReplayResult
    from functions.orders.logic.parked_replay import replay_parked_orders

    given = deps(router)
    if given.parking is None or given.flow is None:
        raise UpstreamUnavailable("parked-order replay is not configured (parking queue, order flow)")
    return answer(ReplayResult(replayed=replay_parked_orders(given.parking, given.flow, backlog=given.backlog)))


@router.post("/v1/ops/orders/<channel>/<channel_order_id>/cancel")
def cancel_held(channel: str, channel_order_id: str) -> Response:
    """An order ON_HOLD for stock, cancelled by an operator (functions/orders/logic/held_retry.py)."""
    from functions.ops.models.responses import HeldRelease
    from functions.orders.logic.held_retry import cancel_held_order
    from shared.errors import NotFound
    from shared.models import order_id_for

    given = deps(router)
    if given.held is None or given.flow is None:
        raise UpstreamUnavailable("cancelling held orders is not configured (state table, order flow)")
    order_id = order_id_for(channel, channel_order_id)
    reason = f"cancelled by an operator ({caller(router)})"
    execution = cancel_held_order(given.held, given.store, given.flow, order_id, reason)
    if execution is None:
        raise NotFound(f"order {channel}/{channel_order_id} is not ON_HOLD")
    return answer(HeldRelease(order_id=order_id, execution=execution), status=202)


@router.post("/v1/ops/orders/<channel>/<channel_order_id>/release")
def release_held(channel: str, channel_order_id: str) -> Response:
    """An order ON_HOLD for stock, started again now (functions/orders/logic/held_retry.py)."""
    from functions.ops.models.responses import HeldRelease
    from functions.orders.logic.held_retry import release_held_order
    from shared.errors import NotFound
    from shared.models import order_id_for

    given = deps(router)
    if given.held is None or given.flow is None:
        raise UpstreamUnavailable("releasing held orders is not configured (state table, order flow)")
    order_id = order_id_for(channel, channel_order_id)
    execution = release_held_order(given.held, given.store, given.flow, order_id)
    if execution is None:
        raise NotFound(f"order {channel}/{channel_order_id} is not ON_HOLD")
    return answer(HeldRelease(order_id=order_id, execution=execution), status=202)
