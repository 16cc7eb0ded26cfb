import pytest

import shop.pricing


@pytest.mark.parametrize(("amount", "expected"), [(0.0, 0.0), (5.0, 6.0), (9.99, 11.99)])
def test_default_rate(amount, expected):
    assert shop.pricing.with_tax(amount) == expected


def test_zero_rate():
    assert shop.pricing.with_tax(7.0, rate=0.0) == 7.0
