"""The JSON API's documentation at /docs, rendered on the server from the OpenAPI document.

FastAPI's own /docs loads Swagger UI from a CDN, which a village behind a walled garden on a
satellite link cannot reach; this page is plain HTML of a few kilobytes. The machine-readable
document stays at /openapi.json.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.admin.web import page

router = APIRouter()
METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"[{_schema_name(schema.get('items'))}]"
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return " | ".join(_schema_name(option) for option in options)
    return str(schema.get("type", "object"))


def _content_schema(content: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of the first media type of a request or response body."""
    for media in content.values():
        schema = media.get("schema")
        return schema if isinstance(schema, dict) else None
    return None


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Each API operation with what a caller needs: parameters, body, answers."""
    found = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body_schema = _content_schema(operation.get("requestBody", {}).get("content", {}))
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tags": operation.get("tags", []),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _schema_name(p.get("schema")),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": _schema_name(body_schema),
                    "responses": {
                        code: _schema_name(_content_schema(answer.get("content", {})))
                        for code, answer in operation.get("responses", {}).items()
                    },
                }
            )
    return found


def schemas(spec: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    found = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        fields = [
            (field, _schema_name(value), field in required)
            for field, value in schema.get("properties", {}).items()
        ]
        found.append((name, fields))
    return found


@router.get("/docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    spec = request.app.openapi()
    return page(
        request,
        "admin/api_docs.html",
        getattr(request.state, "admin", None),
        operations=[op for op in operations(spec) if op["path"].startswith("/api/")],
        schemas=schemas(spec),
        version=spec.get("info", {}).get("version", ""),
    )
