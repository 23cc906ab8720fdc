"""ReturnFlow's steps (infra/returns/return_flow_definition.py runs them in this order).

    ApplyPolicy -> (rejected: ReportOutcome) -> AuthorizeReturn -> AwaitInspection (task token,
    timeout) -> SettleReturn -> PostRefund -> ReportOutcome;  any failure -> RecordException

An exchange (a unit the customer swaps for another item) is settled like a refund and credited in
the same ERP credit memo, but not paid back: PostRefund puts its replacement order on the orders
queue (event `order.replacement`, id `exchange-<business key>`) and OrderFlow accepts it like any
order (reservation, ERP sales order, shipping).

Every step reads the stored return first and does only what is not done yet, so a retried task
(Step Functions Retry, a Lambda retry) or a replayed event repeats no outside write:
- the ERP records are upserts by our external id (return authorization: the business key; credit
  memo: `refund-<business key>`);
- the replacement order is sent once (`replacement.sent`), and a resend is harmless: the orders
  worker applies an event id once and OrderFlow's steps are idempotent by order id;
- the channel refund is made once: its id is stored before the step ends, and the Shopify client
  finds a refund it made before the answer was lost (adapters/channel_refunds.py);
- stock moves only in SettleReturn, after the inspection, with movement event ids made from the
  inspection's event id (the inventory worker applies an event id once);
- the inspection is handed to the one waiting task (its token is cleared when used), so a repeated
  `return.inspected` finds nothing waiting and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from functions.returns.dal.return_store import ReturnStore, StaleReturn
from functions.returns.logic.policy import ReturnPolicy, decide
from functions.returns.logic.settlement import SettlementPolicy, dispositions, movements, refund, split_exchanged
from functions.returns.models.returns import (
    AcceptedLine,
    CaseLine,
    DispositionLine,
    Inspection,
    PurchasedOrder,
    RefundRecord,
    RefundStatus,
    Replacement,
    ReplacementLine,
    ReturnCase,
    ReturnRequest,
    ReturnState,
)
from shared.adapters.event_bus import BusEvent, EventBusPort

if TYPE_CHECKING:  # the ports only: their HTTP and AWS clients stay out of the cold import
    from functions.returns.adapters.aws_ports import InventoryPort, OrdersPort, ReturnFlowPort
    from functions.returns.adapters.channel_refunds import ChannelRefundPort
    from functions.returns.adapters.erp import ReturnsErpPort
    from functions.returns.adapters.returns_platform import ReturnsPlatformPort
    from shared.adapters.trace_store import TraceSink

HOP = "return-flow"
RETURN_AUTHORIZATION = "returnAuthorization"  # the ERP record types (adapters/erp.py)
CREDIT_MEMO = "creditMemo"
EXCEPTION_KIND = "return"


class ExceptionPort(Protocol):
    """The shared exception store (shared/adapters/exception_store.py): ops lists, resolves it."""

    def raise_open(self, kind: str, exception_id: str, record: dict[str, Any], at: datetime) -> bool: ...


def return_exception_id(case: ReturnCase) -> str:
    """One exception per return (`return-<created at>-<hash of the key>`): a failure raised again
    counts on the same one."""
    from shared.adapters.exception_store import exception_id

    return exception_id(EXCEPTION_KIND, case.created_at, case.return_key)


def _reason(error: str) -> str:
    if error == "States.Timeout":
        return "inspection_timeout"  # the goods never reached the warehouse in the policy's time
    if error in ("ErpRejected", "Rejected", "VendorNotFound", "ChannelRefundUnsupported"):
        return "rejected"
    return "failed"


class ReturnNotFound(Exception):
    """A step ran for a return that was never stored (a bug or a hand-started execution)."""


class ReturnNotReady(Exception):
    """A step ran before the one it needs (Step Functions order makes this a bug)."""


def refund_id(return_key: str) -> str:
    return f"refund-{return_key}"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ReturnSteps:
    store: ReturnStore
    trace: TraceSink
    erp: ReturnsErpPort | None = None
    channel_refunds: ChannelRefundPort | None = None
    platform: ReturnsPlatformPort | None = None
    # ReturnStatusChanged on the domain bus (the customer-service status); None: nobody listens.
    status_events: EventBusPort | None = None
    inventory: InventoryPort | None = None
    # The orders queue: an exchange's replacement order starts OrderFlow as any order does.
    orders: OrdersPort | None = None
    flow: ReturnFlowPort | None = None
    policy: ReturnPolicy | None = None
    settlement: SettlementPolicy | None = None
    exceptions: ExceptionPort | None = None
    clock: Callable[[], datetime] = _now

    # ApplyPolicy ------------------------------------------------------------------------------
    def apply_policy(self, request: ReturnRequest) -> dict[str, Any]:
        existing = self.store.get(request.return_key)
        if existing is not None:  # a retried task: the decision was taken and stored
            return {"return_key": existing.return_key, "approved": existing.status is not ReturnState.REJECTED}
        order = self.store.get_order(request.channel, request.channel_order_id)
        earlier = self.store.accepted_by_order(request.channel, request.channel_order_id, request.return_key)
        decision = decide(request, order, earlier, now=self.clock(), policy=self.policy)
        now = self.clock()
        case = ReturnCase(
            return_key=request.return_key,
            source=request.source,
            source_return_id=request.source_return_id,
            channel=request.channel,
            channel_order_id=request.channel_order_id,
            order_id=order.order_id if order else None,
            correlation_id=request.correlation_id,
            status=ReturnState.AWAITING_INSPECTION if decision.approved else ReturnState.REJECTED,
            lines=[CaseLine(sku=line.sku, quantity=line.quantity) for line in decision.accepted]
            or [CaseLine(sku=line.sku, quantity=line.quantity) for line in request.lines],
            rejected_reasons=decision.rejected_reasons,
            exchanges=_exchanges_asked(request, decision.accepted) if decision.approved else [],
            location_id=request.location_id,
            refunded_by_channel=request.refunded_by_channel,
            refund=RefundRecord(
                status=RefundStatus.PENDING if decision.approved else RefundStatus.NONE,
                currency=order.currency if order else None,
            ),
            created_at=now,
            updated_at=now,
        )
        if not self.store.create(case):
            stored = self.store.get(request.return_key)
            return {
                "return_key": request.return_key,
                "approved": stored is not None and stored.status is not ReturnState.REJECTED,
            }
        status = "return_authorized" if decision.approved else "return_rejected"
        self.trace.record(
            case.correlation_id, HOP, status, {"return_key": case.return_key, "reasons": decision.rejected_reasons}
        )
        return {"return_key": case.return_key, "approved": decision.approved}

    # AuthorizeReturn --------------------------------------------------------------------------
    def authorize(self, return_key: str) -> dict[str, Any]:
        case = self._case(return_key)
        if case.erp_return_authorization_id is None:
            assert self.erp is not None
            body = {
                "tranId": case.return_key,
                "createdFrom": {"externalId": case.order_id} if case.order_id else None,
                "memo": f"{case.channel} order {case.channel_order_id}",
                "item": {
                    "items": [{"item": {"externalId": line.sku}, "quantity": line.quantity} for line in case.lines]
                },
            }
            erp_id = self.erp.upsert(RETURN_AUTHORIZATION, case.return_key, body)
            case = self._save(case, erp_return_authorization_id=erp_id, authorized_at=self.clock())
            self.trace.record(
                case.correlation_id, HOP, "erp_return_authorized", {"erp_return_authorization_id": erp_id}
            )
        return {"erp_return_authorization_id": case.erp_return_authorization_id}

    # AwaitInspection --------------------------------------------------------------------------
    def await_inspection(self, return_key: str, task_token: str) -> dict[str, Any]:
        """Keep the token; an inspection that arrived first is handed over now."""
        for _ in range(3):
            case = self._case(return_key)
            if case.status is not ReturnState.AWAITING_INSPECTION:
                return {"waiting": False}
            pending = case.pending_inspection
            try:
                self._save(case, task_token=None if pending else task_token, pending_inspection=None)
            except StaleReturn:
                continue
            if pending is not None:
                assert self.flow is not None
                self.flow.hand_over(task_token, {"inspection": pending})
            self.trace.record(case.correlation_id, HOP, "awaiting_inspection", {"return_key": return_key})
            return {"waiting": pending is None}
        raise StaleReturn(return_key)

    def inspection_reported(self, inspection: Inspection) -> str:
        """The WMS reported its inspection: hand it to the waiting flow once. Answers what happened."""
        for _ in range(3):
            case = self.store.get(inspection.return_key)
            if case is None:
                return "unknown_return"
            if case.status is not ReturnState.AWAITING_INSPECTION or case.inspection_event_id is not None:
                return "duplicate"
            payload = inspection.model_dump(mode="json")
            try:
                if case.task_token is None:
                    self._save(case, pending_inspection=payload, inspection_event_id=inspection.event_id)
                    return "held"
                self._save(case, task_token=None, inspection_event_id=inspection.event_id)
            except StaleReturn:
                continue
            assert self.flow is not None
            handed = self.flow.hand_over(case.task_token, {"inspection": payload})
            self.trace.record(
                case.correlation_id,
                HOP,
                "inspection_received",
                {"event_id": inspection.event_id, "handed_over": handed},
            )
            return "handed_over" if handed else "not_waiting"
        raise StaleReturn(inspection.return_key)

    # SettleReturn -----------------------------------------------------------------------------
    def settle(self, return_key: str, inspection: Inspection) -> dict[str, Any]:
        case = self._case(return_key)
        if case.status is ReturnState.AWAITING_INSPECTION:
            order = self.store.get_order(case.channel, case.channel_order_id)
            if order is None:
                raise ReturnNotReady(f"order of {return_key} is gone")
            accepted = [AcceptedLine(sku=line.sku, quantity=line.quantity) for line in case.lines]
            lines, extra = dispositions(accepted, inspection, self.settlement)
            location = inspection.location_id
            moves = movements(lines)
            if moves:
                assert self.inventory is not None
                self.inventory.send(
                    [
                        _movement_envelope(case, inspection, m.kind.value, m.sku, m.quantity, location, i)
                        for i, m in enumerate(moves)
                    ]
                )
            wanted: dict[str, int] = {}
            for asked in case.exchanges:
                wanted[asked.returned_sku] = wanted.get(asked.returned_sku, 0) + 1
            refunded, exchanged = split_exchanged(lines, wanted)
            computed = refund(refunded, order, self.settlement)
            credit = refund(exchanged, order, self.settlement)
            case = self._save(
                case,
                status=ReturnState.INSPECTED,
                lines=[
                    CaseLine(sku=d.sku, quantity=d.quantity, disposition=d.disposition, condition=d.condition)
                    for d in lines
                ],
                extra_units=extra,
                location_id=location,
                refund=case.refund.model_copy(
                    update={
                        "amount": format(computed.amount.amount, "f"),
                        "tax": format(computed.tax.amount, "f"),
                        "currency": computed.currency,
                        "status": RefundStatus.PENDING if computed.lines else RefundStatus.NONE,
                        "exchange_credit": format(credit.amount.amount, "f") if credit.lines else None,
                    }
                ),
                refund_lines=[line.model_dump(mode="json") for line in computed.lines],
                exchange_lines=[line.model_dump(mode="json") for line in credit.lines],
                replacement=_replacement(case, order, exchanged, inspection),
            )
            self.trace.record(
                case.correlation_id,
                HOP,
                "inspected",
                {
                    "dispositions": {d.sku: d.disposition.value for d in lines},
                    "refund": case.refund.amount,
                    "exchanged": {line.sku: line.quantity for line in exchanged},
                    "extra_units": extra,
                },
            )
        return {"refund_amount": case.refund.amount, "refundable": case.refund.status is RefundStatus.PENDING}

    # PostRefund -------------------------------------------------------------------------------
    def post_refund(self, return_key: str) -> dict[str, Any]:
        case = self._case(return_key)
        if case.status is not ReturnState.INSPECTED:
            return {"status": case.status.value}
        amount, currency = case.refund.amount or "0", case.refund.currency or ""
        if case.replacement is not None and not case.replacement.sent:
            case = self._place_replacement(case)
        if (case.refund_lines or case.exchange_lines) and case.refund.erp_credit_memo_id is None:
            case = self._post_credit_memo(case, amount, currency)
        if case.refund.status is RefundStatus.PENDING:
            if case.refunded_by_channel:
                case = self._save(
                    case, refund=case.refund.model_copy(update={"status": RefundStatus.REFUNDED_BY_CHANNEL})
                )
            elif case.refund.channel_refund_id is None:
                assert self.channel_refunds is not None
                # Per line: the merchandise refunded (less any fee) and its tax, for channels that
                # refund by amounts per line (Walmart); Shopify refunds the lines and the total.
                lines = [
                    {
                        "sku": line["sku"],
                        "quantity": line["quantity"],
                        "line_id": line.get("line_id"),
                        "amount": str(Decimal(line["merchandise"]["amount"]) - Decimal(line["fee"]["amount"])),
                        "tax": line["tax"]["amount"],
                    }
                    for line in case.refund_lines
                ]
                channel_refund = self.channel_refunds.refund(
                    case.channel, case.channel_order_id, refund_id(return_key), amount, currency, lines
                )
                case = self._save(
                    case,
                    refund=case.refund.model_copy(
                        update={"channel_refund_id": channel_refund, "status": RefundStatus.POSTED}
                    ),
                )
                self.trace.record(case.correlation_id, HOP, "channel_refunded", {"channel_refund_id": channel_refund})
        final = ReturnState.REFUNDED if case.refund.status is not RefundStatus.NONE else ReturnState.CLOSED
        case = self._save(case, status=final, refunded_at=self.clock())
        cycle = (
            (case.refunded_at - case.authorized_at).total_seconds() if case.refunded_at and case.authorized_at else None
        )
        # Only this first run answers `cycle_seconds`: a retried task finds the return settled above.
        return {"status": case.status.value, "refund_amount": amount, "cycle_seconds": cycle}

    def _place_replacement(self, case: ReturnCase) -> ReturnCase:
        """The exchange's replacement onto the orders queue, once: OrderFlow reserves, sources and
        sends it to the ERP like any order (its id is stable, so a resend is the same order)."""
        assert case.replacement is not None and self.orders is not None
        original = self.store.get_order(case.channel, case.channel_order_id)
        if original is None:
            raise ReturnNotReady(f"order of {case.return_key} is gone")
        self.orders.place(replacement_envelope(case, case.replacement, original))
        sent = case.replacement.model_copy(update={"sent": True})
        case = self._save(case, replacement=sent)
        self.trace.record(
            case.correlation_id,
            HOP,
            "replacement_ordered",
            {"channel": sent.channel, "channel_order_id": sent.channel_order_id, "order_id": sent.order_id},
        )
        return case

    def _post_credit_memo(self, case: ReturnCase, amount: str, currency: str) -> ReturnCase:
        """One credit memo for every unit credited: the refunded ones and the exchanged ones (whose
        credit pays the replacement order, named in the memo)."""
        assert self.erp is not None
        total = Decimal(amount) + Decimal(case.refund.exchange_credit or "0")
        replacement = case.replacement
        items = [_memo_line(line) for line in case.refund_lines] + [
            {**_memo_line(line), "description": "exchanged"} for line in case.exchange_lines
        ]
        body: dict[str, Any] = {
            "createdFrom": {"externalId": case.return_key},
            "currency": {"refName": currency},
            "total": format(total, "f"),
            "item": {"items": items},
        }
        if replacement is not None:
            body["memo"] = f"exchange: credit applied to order {replacement.order_id}"
        memo = self.erp.upsert(CREDIT_MEMO, refund_id(case.return_key), body)
        case = self._save(case, refund=case.refund.model_copy(update={"erp_credit_memo_id": memo}))
        self.trace.record(
            case.correlation_id,
            HOP,
            "credit_memo_posted",
            {"erp_credit_memo_id": memo, "amount": amount, "exchange_credit": case.refund.exchange_credit},
        )
        return case

    # ReportOutcome ----------------------------------------------------------------------------
    def report_outcome(self, return_key: str) -> dict[str, Any]:
        case = self._case(return_key)
        if case.platform_status_reported != case.status.value:
            processed = case.status in (ReturnState.REFUNDED, ReturnState.CLOSED)
            # No platform configured (LOOP_API_BASE_URL unset): nobody to tell.
            told = self.platform is not None and self.platform.report(case.source, case.source_return_id, processed)
            case = self._save(case, platform_status_reported=case.status.value)
            self.trace.record(
                case.correlation_id, HOP, "platform_told" if told else "no_platform", {"status": case.status.value}
            )
        if self.status_events is not None and case.status_event_published != case.status.value:
            # Published, then marked: a retry after a crash in between publishes again (the customer
            # status publisher pushes a view once, however often it hears of it), never not at all.
            self.status_events.publish([return_status_changed(case)])
            case = self._save(case, status_event_published=case.status.value)
        return {"status": case.status.value}

    # RecordException --------------------------------------------------------------------------
    def record_exception(
        self, return_key: str, error: str, cause: str | None, request: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        case = self.store.get(return_key)
        if case is None:
            if request is None:
                raise ReturnNotFound(return_key)
            return self._request_exception(return_key, error, cause, request)
        stuck_in = case.status
        if case.status is not ReturnState.EXCEPTION:
            case = self._save(case, status=ReturnState.EXCEPTION, exception_reason=error, task_token=None)
        raised = None
        if self.exceptions is not None:
            raised = return_exception_id(case)
            self.exceptions.raise_open(
                EXCEPTION_KIND,
                raised,
                {
                    "reason": _reason(error),
                    "correlation_id": case.correlation_id,
                    "concerns": f"return {case.return_key} of {case.channel} order {case.channel_order_id}",
                    "return_key": case.return_key,
                    "channel": case.channel,
                    "channel_order_id": case.channel_order_id,
                    "error": error,
                    "cause": (cause or "")[:500],
                    # Where it stopped (kept from the first failure: a repeat finds it EXCEPTION already).
                    "stuck_in": None if stuck_in is ReturnState.EXCEPTION else stuck_in.value,
                    "refund_amount": case.refund.amount,
                    "currency": case.refund.currency,
                },
                self.clock(),
            )
        self.trace.record(
            case.correlation_id,
            HOP,
            "exception",
            {"error": error, "cause": (cause or "")[:500], "exception_id": raised},
        )
        return {"status": case.status.value, "error": error, "correlation_id": case.correlation_id}

    def _request_exception(
        self, return_key: str, error: str, cause: str | None, request: dict[str, Any]
    ) -> dict[str, Any]:
        """ApplyPolicy failed before the return was stored: the exception keeps the request itself
        (nothing else holds it), for a person to act on and resolve with a note."""
        from shared.adapters.exception_store import exception_id

        correlation_id = str(request.get("correlation_id") or "") or None
        try:  # the request's own time, so a retried RecordException counts on the same exception
            at = datetime.fromisoformat(str(request["requested_at"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            at = self.clock()
        raised = exception_id(EXCEPTION_KIND, at, return_key)
        if self.exceptions is not None:
            self.exceptions.raise_open(
                EXCEPTION_KIND,
                raised,
                {
                    "reason": _reason(error),
                    "correlation_id": correlation_id,
                    "concerns": f"return {return_key} of {request.get('channel')} order "
                    f"{request.get('channel_order_id')}",
                    "return_key": return_key,
                    "channel": request.get("channel"),
                    "channel_order_id": request.get("channel_order_id"),
                    "error": error,
                    "cause": (cause or "")[:500],
                    "stuck_in": "POLICY",
                    "request": json.dumps(request, sort_keys=True, default=str),
                },
                self.clock(),
            )
        if correlation_id:
            self.trace.record(
                correlation_id, HOP, "exception", {"error": error, "cause": (cause or "")[:500], "exception_id": raised}
            )
        return {"status": "EXCEPTION", "error": error, "correlation_id": correlation_id}

    # ------------------------------------------------------------------------------------------
    def _case(self, return_key: str) -> ReturnCase:
        case = self.store.get(return_key)
        if case is None:
            raise ReturnNotFound(return_key)
        return case

    def _save(self, case: ReturnCase, **changes: Any) -> ReturnCase:
        return self.store.save(case.model_copy(update={**changes, "updated_at": self.clock()}))


RETURN_STATUS_CHANGED = "ReturnStatusChanged"


def return_status_changed(case: ReturnCase) -> BusEvent:
    """The return's outcome (REFUNDED, CLOSED, REJECTED) for whoever shows it to the customer."""
    return BusEvent(
        RETURN_STATUS_CHANGED,
        {
            "return_key": case.return_key,
            "source": case.source,
            "channel": case.channel,
            "channel_order_id": case.channel_order_id,
            "status": case.status.value,
            "refund_status": case.refund.status.value,
            "correlation_id": case.correlation_id,
        },
    )


def _movement_envelope(
    case: ReturnCase, inspection: Inspection, movement: str, sku: str, quantity: int, location_id: str, index: int
) -> dict[str, Any]:
    """A movement as the WMS's own `inventory.moved` event (events/wms/README.md), so the inventory
    worker applies it on its existing path: once per event id, in the inspection's sequence."""
    event_id = f"{inspection.event_id}-{index}-{movement}"[:128]
    payload = {
        "event_id": event_id,
        "event_type": "inventory.moved",
        "sequence": inspection.sequence,
        "movement": movement,
        "location_id": location_id,
        "sku": sku,
        "quantity": quantity,
        "reference": case.return_key,
        "reason": "return inspected",
        "occurred_at": inspection.occurred_at.isoformat().replace("+00:00", "Z"),
    }
    from shared.models.envelope import Envelope  # the disposition step's only: the other steps never build it

    envelope = Envelope(
        event_id=event_id,
        source="wms",
        event_type="inventory.moved",
        domain="inventory",
        delivery_id=event_id,
        correlation_id=case.correlation_id,
        occurred_at=inspection.occurred_at,
        source_sequence=inspection.sequence,
        payload=payload,
    )
    return envelope.model_dump(mode="json")


def _memo_line(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "item": {"externalId": line["sku"]},
        "quantity": line["quantity"],
        "amount": line["merchandise"]["amount"],
        "taxAmount": line["tax"]["amount"],
        "restockingFee": line["fee"]["amount"],
    }


def _exchanges_asked(request: ReturnRequest, accepted: list[AcceptedLine]) -> list[ReplacementLine]:
    """One entry per unit asked to be exchanged, no more than policy accepted of its SKU."""
    left: dict[str, int] = {}
    for line in accepted:
        left[line.sku] = left.get(line.sku, 0) + line.quantity
    asked: list[ReplacementLine] = []
    for requested in request.lines:
        if requested.exchange is None:
            continue
        for _ in range(requested.quantity):
            if left.get(requested.sku, 0) > 0:
                left[requested.sku] -= 1
                asked.append(ReplacementLine(returned_sku=requested.sku, item=requested.exchange))
    return asked


EXCHANGE_SUFFIX = "-exchange"


def _replacement(
    case: ReturnCase, order: PurchasedOrder, exchanged: list[DispositionLine], inspection: Inspection
) -> Replacement | None:
    """The replacement of the units exchanged: the items asked for them, in the order asked.

    Its identity: the channel order the returns platform already made for it when every item names
    the same one (Loop's `exchange_order_id`, a Shopify order: the channel's own `orders/create`
    and this one are then one order, OrderFlow's steps being idempotent by order id); otherwise
    the source's own order `<source_return_id>-exchange` (no marketplace is told about it)."""
    if not exchanged:
        return None
    from shared.models.orders import order_id_for

    queue = list(case.exchanges)
    lines: list[ReplacementLine] = []
    for line in exchanged:
        for _ in range(line.quantity):
            match = next(e for e in queue if e.returned_sku == line.sku)
            queue.remove(match)
            lines.append(match)
    named = {line.item.order_id for line in lines}
    if len(named) == 1 and None not in named:
        channel, channel_order_id = order.channel, str(next(iter(named)))
    else:
        channel, channel_order_id = case.source, f"{case.source_return_id}{EXCHANGE_SUFFIX}"
    return Replacement(
        channel=channel,
        channel_order_id=channel_order_id,
        order_id=order_id_for(channel, channel_order_id),
        lines=lines,
        placed_at=inspection.occurred_at,
    )


def replacement_envelope(case: ReturnCase, replacement: Replacement, original: PurchasedOrder) -> dict[str, Any]:
    """The replacement as an orders-queue envelope (`order.replacement`, the canonical order as its
    payload): event id `exchange-<business key>`, so the orders worker starts it once."""
    from shared.models.envelope import Envelope
    from shared.models.orders import REPLACEMENT_ORDER_EVENT, Order, OrderLine

    grouped: dict[tuple[str, Decimal], list[ReplacementLine]] = {}
    for line in replacement.lines:
        grouped.setdefault((line.item.sku, line.item.unit_price.amount), []).append(line)
    lines = []
    for index, units in enumerate(grouped.values(), start=1):
        item = units[0].item
        taxes = [u.item.tax for u in units if u.item.tax is not None]
        lines.append(
            OrderLine(
                line_id=str(index),
                sku=item.sku,
                quantity=len(units),
                unit_price=item.unit_price,
                tax=sum(taxes[1:], taxes[0]) if taxes else None,
                title=item.title,
            )
        )
    order = Order(
        channel=replacement.channel,
        channel_order_id=replacement.channel_order_id,
        placed_at=replacement.placed_at,
        currency=original.currency,
        lines=lines,
        customer=original.customer,
        shipping_address=original.shipping_address,
    )
    event_id = f"exchange-{case.return_key}"[:128]
    return Envelope(
        event_id=event_id,
        source=case.source,
        event_type=REPLACEMENT_ORDER_EVENT,
        domain="orders",
        delivery_id=event_id,
        correlation_id=case.correlation_id,
        occurred_at=replacement.placed_at,
        received_at=replacement.placed_at,
        payload=order.to_item(),
    ).model_dump(mode="json")
