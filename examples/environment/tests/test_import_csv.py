import csv


def read_counts(path):
    with open(path, newline="") as f:
        return {row["sku"]: int(row["qty"]) for row in csv.DictReader(f)}


def test_read_counts():
    assert read_counts("data/input.csv") == {"apple": 3, "pear": 2}


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("sku,qty\n")
    assert read_counts(path) == {}
