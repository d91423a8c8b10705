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


def test_sort_keys_order_dates_by_year_month_day_then_time():
    """sort_key is one string; it must order as the tuple (year, month or 0, day or 0, UTC
    time or nothing) does, less precise dates first."""
    import random
    rng = random.Random(3)
    values = []
    for _ in range(2000):
        year, month, day = rng.choice([999, 1999, 2022, 2023]), rng.randint(1, 12), rng.randint(1, 28)
        form = rng.randrange(4)
        if form == 0:
            values.append(f"{year:04d}")
        elif form == 1:
            values.append(f"{year:04d}-{month:02d}")
        elif form == 2:
            values.append(f"{year:04d}-{month:02d}-{day:02d}")
        else:
            values.append(f"{year:04d}-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z")
    parsed = [dates.parse(v) for v in values]

    def reference(d):
        stamp = d.moment.astimezone(dt.timezone.utc).strftime("%H:%M:%S") if d.moment else ""
        return (d.year, d.month or 0, d.day or 0, stamp)

    by_key = sorted(parsed, key=lambda d: (d.sort_key(), d.iso()))
    assert by_key == sorted(parsed, key=lambda d: (reference(d), d.iso()))


def test_a_date_under_its_years_heading_leaves_the_year_out():
    from generator.dates import display_in_year
    cases = [("2022-02-24", "2022-03-14", "24 February – 14 March"), ("2022-03", None, "March"), ("2022", None, ""),
             ("2022-03-14T18:30:00+02:00", None, "14 March, 18:30 UTC+02:00"),
             ("2021-12-28", "2022-01-03", "28 December 2021 – 3 January 2022"),  # into another year: whole
             ("2022-03", "2022-04-12", "March – 12 April")]
    for start, end, shown in cases:
        assert display_in_year(dates.parse(start), dates.parse(end) if end else None) == shown
