"""Channels we pull from, and Amazon's notifications that arrive off HTTP.

- ``handlers/amazon_order_change.py``: the SP-API partner event bus rule's target (ORDER_CHANGE);
- ``handlers/amazon_orders_poller.py``: Amazon's recommended backup poll (getOrders), on a schedule;
- ``handlers/zalando_orders_poller.py``: Zalando has no push; a scheduled poll of its Orders API.

Every pulled record goes through ``logic/intake.py`` (the channel adapter's ``describe_pulled``,
delivery dedupe keyed ``<source>#<delivery_id>`` in the idempotency table, envelope to the domain
queue): the same order reached twice, by notification and by poll, or by two overlapping poll
windows, is enqueued once. Poll windows come from a watermark in the state table
(``logic/watermark.py``).
"""
