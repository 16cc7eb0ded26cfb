from shop.totals import average, calc_total


def test_total():
    assert calc_total([1.0, 2.0, 3.5]) == 6.5


def test_total_with_discount():
    assert calc_total([10.0, 10.0], discount=0.1) == 18.0


def test_average():
    assert average([1.0, 2.0]) == 1.5
