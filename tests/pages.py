"""The site's pages, derived from the URLconf so that a new page cannot be forgotten by a test
that means to visit every page (tests/e2e/test_layout.py, tests/test_pages.py)."""

from __future__ import annotations

from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

# Not dashboard pages: the API (and its Swagger page) and Django's admin have their own layouts.
SKIPPED_PREFIXES = ("/api/", "/admin/")


def argumentless_names(resolver: URLResolver | None = None) -> set[str]:
    """The names of every URL pattern that takes no argument, outside namespaces (the admin)."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if pattern.pattern.regex.groups:
            continue
        if isinstance(pattern, URLResolver):
            if not pattern.namespace:
                names |= argumentless_names(pattern)
        elif pattern.name:
            names.add(pattern.name)
    return names


def html_pages(client: Client) -> dict[str, str]:
    """name -> path of every argument-less page that answers `client` with a whole HTML page.

    A server error fails the caller; POST-only actions, redirects, feeds and htmx partials are
    left out."""
    pages = {}
    for name in sorted(argumentless_names()):
        path = reverse(name)
        if path.startswith(SKIPPED_PREFIXES):
            continue
        response = client.get(path)
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        if b"<html" not in response.content[:500]:
            continue
        pages[name] = path
    return pages
