import pytest

from tests.factories import StoreFactory


@pytest.fixture
def other_owner_store(db):
    """A store of somebody else: every view must answer 404 for it."""
    return StoreFactory()
