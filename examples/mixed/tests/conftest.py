import pytest


@pytest.fixture
def client():
    return {"name": "ada", "cart": [("tea", 3.5), ("cake", 2.0)]}
