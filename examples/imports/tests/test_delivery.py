from shop.delivery import due_date


def test_due_in_three_days():
    assert due_date("2024-02-27T10:00:00") == "2024-03-01"
