"""Property-based API test: schemathesis generates requests for every operation in /openapi.json.

It must find no server error and no response that breaks the documented schema.  Examples per
operation are bounded so the suite stays fast.
"""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from risk.config import load_settings
from service import create_app


@pytest.fixture(scope="module")
def api_schema(service_home, tmp_path_factory):
    """Its own copy of the service's home: the generated calls train, promote and upload at random."""
    settings, _ = service_home
    home = tmp_path_factory.mktemp("schemathesis") / "home"
    shutil.copytree(settings.home, home)
    app = create_app({"SETTINGS": load_settings({"RISK_HOME": str(home)}), "TESTING": True})
    yield schemathesis.openapi.from_wsgi("/openapi.json", app)
    app.extensions["risk"].jobs.shutdown(cancel_pending=True)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case, keys):
    response = case.call(headers={"Authorization": f"Bearer {keys['analyst']}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
