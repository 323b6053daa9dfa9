"""The engine clock: Spiff's timers see the frozen time inside ``frozen_at``, in that thread only."""
import threading
from datetime import UTC, datetime, timedelta

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from app.engine.clock import EngineDatetime, engine_now, frozen_at

FROZEN = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def test_spiffs_timer_module_reads_the_engine_clock():
    assert spiff_timer.datetime is EngineDatetime
    with frozen_at(FROZEN):
        assert spiff_timer.datetime.now(UTC) == FROZEN
        cycles, start, step = spiff_timer.TimerEventDefinition.parse_iso_recurring_interval("R3/PT1H")
        assert (cycles, start, step) == (3, FROZEN + timedelta(hours=1), timedelta(hours=1))
    assert abs(spiff_timer.datetime.now(UTC) - datetime.now(UTC)) < timedelta(seconds=5)


def test_everything_but_now_is_plain_datetime():
    parsed = spiff_timer.TimerEventDefinition.get_datetime("2026-06-04T17:00:00+07:00")
    assert type(parsed) is datetime and parsed == datetime(2026, 6, 4, 10, 0, tzinfo=UTC)
    assert isinstance(parsed, EngineDatetime) and EngineDatetime(2026, 1, 1) == datetime(2026, 1, 1)


def test_frozen_blocks_nest_and_restore():
    with frozen_at(FROZEN):
        with frozen_at(FROZEN + timedelta(days=1)):
            assert engine_now(UTC) == FROZEN + timedelta(days=1)
        assert engine_now(UTC) == FROZEN
        assert engine_now().tzinfo is None  # like datetime.now(): naive local time


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"), frozen_at(datetime(2026, 6, 1, 9, 0)):
        pass


def test_another_thread_keeps_the_real_clock():
    seen = []
    with frozen_at(FROZEN):
        thread = threading.Thread(target=lambda: seen.append(engine_now(UTC)))
        thread.start()
        thread.join()
    assert abs(seen[0] - datetime.now(UTC)) < timedelta(seconds=5)
