from shop.orders import Order


def test_order_total():
    assert Order([("tea", 3.5, 2)]).total() == 8.4


def test_empty_order():
    assert Order([]).total() == 0.0
