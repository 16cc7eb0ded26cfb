from warehouse import config


def test_auth_header():
    assert config.auth_header()["Authorization"].startswith("Bearer ")
