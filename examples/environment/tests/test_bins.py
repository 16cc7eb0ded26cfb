from warehouse.bins import Bins


def test_case_insensitive():
    bins = Bins()
    bins["A1"] = ["apple"]
    assert bins["a1"] == ["apple"]


def test_len():
    bins = Bins()
    bins["A1"] = []
    bins["B2"] = []
    assert len(bins) == 2
