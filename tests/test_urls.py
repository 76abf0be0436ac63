"""The project's URL table: every named route is reached by its own paths.

`pos_project/urls.py` lists the terminals' hot apps first (the resolver tries the includes in order,
issue 18); a broad pattern placed earlier, such as `payments/<str:order_id>`, must never swallow a
route of an app listed after it. Each route is reversed with sample arguments and resolved back.
"""

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

SAMPLE = {"int": 7, "str": "sample", "slug": "sample-slug", "uuid": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}


def _named_routes(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and isinstance(entry.pattern, RoutePattern):
            # (regular-expression routes, such as the admin's app list, are not reversed with samples)
            yield f"{namespace}{entry.name}", entry


def _sample_kwargs(pattern: URLPattern) -> dict | None:
    kwargs = {}
    for name, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__.removesuffix("Converter").lower()
        if kind not in SAMPLE:
            return None  # a converter of our own: no sample to make
        kwargs[name] = SAMPLE[kind]
    return kwargs


def test_every_named_route_resolves_to_itself():
    checked, wrong = 0, []
    for name, pattern in _named_routes(get_resolver()):
        kwargs = _sample_kwargs(pattern)
        if kwargs is None:
            continue
        path = reverse(name, kwargs=kwargs)
        found = resolve(path)
        if found.func is not pattern.callback:
            wrong.append(f"{path}: {name} expected, {found.view_name} resolved")
        checked += 1
    assert not wrong, wrong
    assert checked > 100  # the whole table was walked, not an empty corner of it
