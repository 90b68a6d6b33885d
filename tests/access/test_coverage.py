"""The matrix covers every API operation of the OpenAPI schema and every page of the URLconf:
a new one fails here until tests/access/registry.py says what the matrix does with it."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from .registry import API, PAGES

METHODS = ("get", "post", "put", "patch", "delete")
# URLconf parts that are not pages of the portal, with why.
SKIPPED_NAMESPACES = {"admin": "Django's admin: staff only, Django's own permission checks"}
SKIPPED_PREFIXES = {"api/v1/": "the API: its operations come from the OpenAPI schema (API above)"}


def schema_operations() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops if method in METHODS}


def page_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    """Every named URL pattern outside the admin and the API (the API's documents and root
    are pages of the URLconf the schema does not list: they are named in PAGES too)."""
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            names |= page_names(pattern, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            api = route.startswith(tuple(SKIPPED_PREFIXES))
            if not api or pattern.name in {"api-root", "api-schema", "api-docs"}:
                names.add(pattern.name)
    return names


def test_every_api_operation_is_in_the_registry():
    operations = schema_operations()
    assert not sorted(operations - set(API)), "operations the matrix does not cover: add them to registry.API"
    assert not sorted(set(API) - operations), "registry.API names operations that are gone"


def test_every_page_is_in_the_registry():
    pages = page_names()
    assert not sorted(pages - set(PAGES)), "pages the matrix does not cover: add them to registry.PAGES"
    assert not sorted(set(PAGES) - pages), "registry.PAGES names pages that are gone"
