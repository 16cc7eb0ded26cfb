from stats.report import summary


def test_summary():
    assert summary([1, 2, 3]) == {"mean": 2, "median": 2}
