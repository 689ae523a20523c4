"""Counting the whole reads of a store's cached values, in tests."""


class Reads:
    """Counts whole reads of a snapshot, by wrapping the function that makes it."""

    def __init__(self, monkeypatch, module, name: str):
        self.count = 0
        whole = getattr(module, name)

        def counted(*args):
            self.count += 1
            return whole(*args)

        monkeypatch.setattr(module, name, counted)
