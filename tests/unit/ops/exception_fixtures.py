"""The ops dependencies over the reconciliation store, for the exception routes' tests (a test module
that needs others defines its own `deps`)."""

from __future__ import annotations

from typing import Any

import pytest

from functions.ops.handlers.api import Deps
from shared.adapters.reconciliation_store import DynamoReconciliationStore
from shared.adapters.state_store import DynamoStateStore
from tests.fakes.aws import STATE_TABLE
from tests.fakes.ports import FakeTraceReader


@pytest.fixture
def store(dynamodb: Any) -> DynamoReconciliationStore:
    return DynamoReconciliationStore(STATE_TABLE, dynamodb)


@pytest.fixture
def deps(dynamodb: Any, store: DynamoReconciliationStore) -> Deps:
    return Deps(store=DynamoStateStore(STATE_TABLE, dynamodb), trace=FakeTraceReader(), exceptions=store)
