from shop.export import order_json


def test_export_many_lines():
    items = [(f"sku{i}", 1.0, 1) for i in range(3)]
    assert order_json(1, items).count('"sku"') == 3
