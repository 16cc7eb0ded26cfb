from shop.pricing import subtotal, with_tax


def test_subtotal():
    assert subtotal([("tea", 3.5, 2), ("cake", 2.0, 1)]) == 9.0


def test_with_tax():
    assert with_tax(10.0) == 12.0
