"""Inventory: a SKU's stock by location, the allocation rules (default and per SKU), listing ids."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.ops.routes._http import answer, body, checked_sku, deps

router = Router()


@router.get("/v1/ops/inventory/<sku>")
def get_inventory(sku: str) -> Response:
    from functions.ops.logic.views import inventory_view

    given = deps(router)
    rules = given.availability.rules_for(sku) if given.availability is not None else None
    return answer(inventory_view(sku, given.store, rules))


@router.get("/v1/ops/allocation-rules")
def get_default_rules() -> Response:
    from functions.ops.logic import channels as channel_ops

    return answer(channel_ops.get_rules(deps(router).need_availability()))


@router.put("/v1/ops/allocation-rules")
def put_default_rules() -> Response:
    from functions.ops.logic import channels as channel_ops

    return answer(channel_ops.put_rules(deps(router).need_availability(), body(router)))


@router.get("/v1/ops/allocation-rules/<sku>")
def get_sku_rules(sku: str) -> Response:
    from functions.ops.logic import channels as channel_ops

    return answer(channel_ops.get_rules(deps(router).need_availability(), checked_sku(sku)))


@router.put("/v1/ops/allocation-rules/<sku>")
def put_sku_rules(sku: str) -> Response:
    from functions.ops.logic import channels as channel_ops

    return answer(channel_ops.put_rules(deps(router).need_availability(), body(router), checked_sku(sku)))


@router.put("/v1/ops/listings/<sku>")
def put_listing_ids(sku: str) -> Response:
    from functions.ops.logic import channels as channel_ops

    return answer(channel_ops.put_listing_ids(deps(router).need_availability(), checked_sku(sku), body(router)))
