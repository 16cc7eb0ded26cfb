def test_float_sum():
    assert 0.1 + 0.2 == 0.3  # the test's expectation is wrong, not the code


def test_sorted_words():
    assert sorted(["b", "A", "c"]) == ["A", "b", "c"]
