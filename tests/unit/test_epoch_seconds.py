"""The projection's time rule (sociograph.graph.projection): naive moments are UTC."""

from datetime import UTC

import pytest


def test_epoch_seconds_reads_naive_values_as_utc_whatever_the_local_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time
    from datetime import datetime as dt

    from sociograph.graph.projection import epoch_seconds

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        expected = int(dt(2026, 10, 1, 12, tzinfo=UTC).timestamp())
        assert epoch_seconds(dt(2026, 10, 1, 12)) == expected
        assert epoch_seconds("2026-10-01 12:00:00") == expected
        assert epoch_seconds(dt(2026, 10, 1, 14, tzinfo=UTC)) == expected + 7200
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
