from stats.basic import mean, median


def summary(values):
    return {
        "mean": mean(values),
        "median": median(values),
    # the closing brace went missing in a merge
