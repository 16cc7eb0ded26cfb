import unittest
from pathlib import Path

from warehouse import config

HERE = Path(__file__).parent


class TestConfig(unittest.TestCase):
    def test_load(self):
        settings = config.load(HERE / "data" / "warehouse.ini")
        self.assertEqual(settings["capacity"], "40")

    def test_module_name(self):
        self.assertEquals(config.__name__, "warehouse.config")
