import configparser
import os


def load(path):
    parser = configparser.SafeConfigParser()
    parser.read(path)
    return dict(parser["warehouse"])


def api_token():
    return os.environ["WAREHOUSE_API_TOKEN"]


def auth_header():
    return {"Authorization": f"Bearer {api_token()}"}
