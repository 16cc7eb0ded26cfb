from shop.pricing import total, with_tax


def test_total():
    assert total([("a", 1.0), ("b", 2.0)]) == 3.0


def test_with_tax():
    assert with_tax(10.0) == 12.0
