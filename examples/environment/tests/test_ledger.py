import pytest

from warehouse.ledger import merge


def test_merge():
    assert merge({"apple": 1}, {"apple": 2, "pear": 1}) == {"apple": 3, "pear": 1}


def test_rejects_lists():
    with pytest.raises(TypeError):
        merge([("apple", 1)])
