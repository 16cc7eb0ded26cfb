from shop import registry


def test_set_and_get():
    r = registry.Registry()
    r["a"] = 1
    assert r["a"] == 1


def test_len():
    r = registry.Registry()
    r["a"] = 1
    assert len(r) == 1
