def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid]  # bug: wrong for an even number of values


def mean(values):
    return sum(values) / len(values)  # bug: no answer for an empty list


def clamp(value, low, high):
    return max(low, min(value, high))
