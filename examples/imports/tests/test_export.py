from shop.export import order_json


def test_export_is_sorted_text():
    assert order_json(7, []).startswith('{"id": 7')


def test_export_round_trip():
    data = json.loads(order_json(7, [("tea", 3.5, 2)]))
    assert data["lines"] == [{"sku": "tea", "price": 3.5, "qty": 2}]
