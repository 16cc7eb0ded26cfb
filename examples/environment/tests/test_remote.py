from warehouse import remote


def test_ping_dev_server():
    assert remote.ping()


def test_defaults():
    assert (remote.HOST, remote.PORT) == ("127.0.0.1", 8765)
