"""Django's messages, stored as its FallbackStorage stores them (a signed cookie, then the session),
with both stores made only when a request first adds or reads a message.

FallbackStorage makes them in its constructor, on every request that passes MessageMiddleware, and
the cookie store's constructor builds a cookie signer (an import and a key derivation). The
terminals' API requests never touch a message: that was 1 % of a checkout's instructions (issue 18).
"""

from __future__ import annotations

from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.utils.functional import cached_property


class LazyFallbackStorage(FallbackStorage):
    def __init__(self, request, *args, **kwargs):
        # BaseStorage's constructor only: FallbackStorage's would make the stores now.
        BaseStorage.__init__(self, request, *args, **kwargs)
        self._store_args = (args, kwargs)
        self._used_storages = set()

    @cached_property
    def storages(self) -> list[BaseStorage]:
        args, kwargs = self._store_args
        return [storage_class(self.request, *args, **kwargs) for storage_class in self.storage_classes]
