def test_name(clinet):
    assert clinet["name"] == "ada"


def test_cart_size(clinet):
    assert len(clinet["cart"]) == 2


def test_cart_items(clinet):
    assert clinet["cart"][0][0] == "tea"


def test_plain():
    assert 1 + 1 == 2
