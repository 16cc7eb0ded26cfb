from shop.totals import average


def test_average_of_nothing():
    assert average([]) == 0.0
