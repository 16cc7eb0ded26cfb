def test_ok():
    assert 2 * 2 == 4


def test_rounding():
    assert round(2.675, 2) == 2.68
