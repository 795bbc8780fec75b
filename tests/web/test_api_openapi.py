"""The OpenAPI document matches the routes the app really serves."""
from __future__ import annotations

import re

IGNORED_METHODS = {"HEAD", "OPTIONS"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _flask_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes.setdefault(path, set()).update(m.lower() for m in rule.methods - IGNORED_METHODS)
    return routes


def _document_routes(doc) -> dict[str, set[str]]:
    return {path: {m for m in item if m in HTTP_METHODS} for path, item in doc["paths"].items()}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_api_route_is_documented_with_its_methods_and_nothing_else(app, client):
    doc = client.get("/api/v1/openapi.json").json
    flask_routes = _flask_routes(app)
    assert flask_routes, "no /api/v1 routes registered"
    assert _document_routes(doc) == flask_routes


def test_document_is_openapi_31_with_schemas_and_bearer_security(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json
    assert doc["openapi"].startswith("3.1")
    schemas = doc["components"]["schemas"]
    for name in ("Event", "Session", "TicketType", "Registration", "RegistrationInput", "Error", "ValidationError"):
        assert name in schemas
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        **doc["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    for ref in _refs(doc):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in schemas, ref
    # path parameters are declared
    for path, item in doc["paths"].items():
        for name in re.findall(r"{(\w+)}", path):
            for method, op in item.items():
                assert any(p["name"] == name and p["in"] == "path" for p in op.get("parameters", [])), (path, method)


def test_documented_fields_match_the_answers(client, create_event):
    """The names the schema requires are the names the API answers with."""
    from tests import factories

    event = create_event()
    doc = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    body = client.get(f"/api/v1/events/{event.id}").json
    assert set(doc["Event"]["required"]) <= set(body)
    assert set(body) <= set(doc["Event"]["properties"])
    assert set(body["ticket_types"][0]) <= set(doc["TicketType"]["properties"])
    assert set(body["sessions"][0]) <= set(doc["Session"]["properties"])
    created = client.post(f"/api/v1/events/{event.id}/registrations", json=factories.registration_data(event)).json
    assert set(doc["RegistrationCreated"]["required"]) <= set(created) <= set(doc["RegistrationCreated"]["properties"])
    cancelled = client.post("/api/v1/registrations/cancel", json={"manage_token": created["manage_token"]}).json
    assert set(doc["Registration"]["required"]) <= set(cancelled) <= set(doc["Registration"]["properties"])
    assert set(factories.registration_data(event)) <= set(doc["RegistrationInput"]["properties"])
