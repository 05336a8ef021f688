"""The REST API (FastAPI): routers per resource, RFC 9457 errors, OpenAPI at /docs. The app is
built by ``registry.api.app.create_app``; importing this package alone (for the key store, say)
loads none of it."""
