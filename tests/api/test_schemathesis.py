"""Property-based fuzzing of the whole OpenAPI document, in-process: no 5xx, responses match the schema.

schemathesis' own pytest plugin fails on pytest 9 (``'Function' object has no attribute '_nodeid'``),
so each operation is driven through ``APIOperation.as_strategy()`` under a plain ``@given``.
Slow-ish (about a minute on 2 cores): marked ``slow``. At least 1,000 generated cases in total.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import create_app
from api.settings import ApiSettings

MAX_EXAMPLES = 90
CALLS: list[str] = []
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
# the operations, read from a release-less app (the store loads a release only on the first request)
OPERATIONS = [
    (path, method.upper())
    for path, ops in create_app(ApiSettings(releases_dir="/nonexistent")).openapi()["paths"].items()
    for method in ops
]


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_asgi("/v1/openapi.json", app)


@pytest.mark.slow
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_no_server_error_and_responses_match_the_schema(api_schema, keys, path, method):
    operation = api_schema[path][method]
    strategy = operation.as_strategy()

    @given(data=st.data())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(data):
        case = data.draw(strategy)
        case.headers = {**(case.headers or {}), "X-API-Key": keys.steward}
        response = case.call()
        CALLS.append(f"{method} {path}")
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.slow
def test_at_least_a_thousand_cases_were_generated():
    assert len(CALLS) >= 1000, f"only {len(CALLS)} cases over {len(set(CALLS))} operations"
