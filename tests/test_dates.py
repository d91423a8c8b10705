import datetime as dt

import pytest

from generator import dates


@pytest.mark.parametrize("value, iso, shown, precision", [
    (2022, "2022", "2022", "year"),
    ("2022-03", "2022-03", "March 2022", "month"),
    ("2022-03-14", "2022-03-14", "14 March 2022", "day"),
    ("2022-03-14T09:30:00+01:00", "2022-03-14T09:30:00+01:00", "14 March 2022, 09:30 UTC+01:00", "time"),
    ("2022-03-14T09:30:00Z", "2022-03-14T09:30:00+00:00", "14 March 2022, 09:30 UTC", "time"),
])
def test_forms(value, iso, shown, precision):
    date = dates.parse(value)
    assert (date.iso(), date.display(), date.precision) == (iso, shown, precision)


def test_moment_without_offset_takes_the_site_time_zone():
    date = dates.parse("2022-03-14T09:30", "Asia/Singapore")
    assert date.moment.utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize("value", ["2022-02-30", "2022-13", "2022-00-10", "14 March 2022", "", True, None, [2022]])
def test_impossible_or_unreadable(value):
    with pytest.raises(dates.DateProblem):
        dates.parse(value)


def test_order_and_spans():
    month, day = dates.parse("2022-03"), dates.parse("2022-03-14")
    assert month.sort_key() < day.sort_key()
    assert month.first_day() == dt.date(2022, 3, 1) and month.last_day() == dt.date(2022, 3, 31)
    assert dates.display_span(dates.parse("2022-02-24"), dates.parse("2022-03-14")) == "24 February – 14 March 2022"
    assert dates.display_span(dates.parse("2022-03-01"), dates.parse("2022-03-14")) == "1–14 March 2022"
    assert dates.display_span(dates.parse("2021"), dates.parse("2022-03")) == "2021 – March 2022"
