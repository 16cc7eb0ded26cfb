import collections


class Bins(collections.MutableMapping):
    """Storage bins by label, labels compared case-insensitively."""

    def __init__(self):
        self._bins = {}

    def __getitem__(self, label):
        return self._bins[label.lower()]

    def __setitem__(self, label, contents):
        self._bins[label.lower()] = contents

    def __delitem__(self, label):
        del self._bins[label.lower()]

    def __iter__(self):
        return iter(self._bins)

    def __len__(self):
        return len(self._bins)
