"""Vectorised calendar arithmetic on numpy datetime64[D] arrays."""

import numpy as np

DAY = np.timedelta64(1, "D")


def as_days(values) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]")


def month_start(days) -> np.ndarray:
    return as_days(days).astype("datetime64[M]").astype("datetime64[D]")


def month_index(days, origin) -> np.ndarray:
    """Whole months from the month of `origin` to the month of each day."""
    return (as_days(days).astype("datetime64[M]")
            - np.datetime64(origin, "M")).astype(np.int64)


def days_in_month(month_starts) -> np.ndarray:
    m = as_days(month_starts).astype("datetime64[M]")
    return ((m + 1).astype("datetime64[D]") - m.astype("datetime64[D]")).astype(np.int64)


def add_months(days, months) -> np.ndarray:
    """Same day-of-month `months` later, clamped to the month's last day."""
    d = as_days(days)
    m = d.astype("datetime64[M]")
    day = (d - m.astype("datetime64[D]")).astype(np.int64)
    target = m + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    return target.astype("datetime64[D]") + np.minimum(day, days_in_month(target) - 1)


def period_count(starts, last_days, interval_months) -> np.ndarray:
    """How many billing periods of `interval_months` start on or before `last_days`."""
    starts = as_days(starts)
    last_days = as_days(last_days)
    interval = np.asarray(interval_months, dtype=np.int64)
    months = (last_days.astype("datetime64[M]") - starts.astype("datetime64[M]")).astype(np.int64)
    n = np.maximum(months // interval + 1, 0)
    # Step back where the n-th period would start after the last day.
    too_far = (n > 0) & (add_months(starts, (n - 1) * interval) > last_days)
    n = n - too_far
    return np.where(starts > last_days, 0, n)


def quarter_end(days) -> np.ndarray:
    m = as_days(days).astype("datetime64[M]")
    month_of_year = (m - m.astype("datetime64[Y]").astype("datetime64[M]")).astype(np.int64)
    next_quarter = m + (3 - month_of_year % 3).astype("timedelta64[M]")
    return next_quarter.astype("datetime64[D]") - DAY


def month_end(days) -> np.ndarray:
    m = as_days(days).astype("datetime64[M]")
    return (m + 1).astype("datetime64[D]") - DAY


def repeat_ranges(counts) -> tuple[np.ndarray, np.ndarray]:
    """For counts [2, 0, 3]: owners [0, 0, 2, 2, 2] and positions [0, 1, 0, 1, 2]."""
    counts = np.asarray(counts, dtype=np.int64)
    owners = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    positions = np.arange(len(owners)) - np.repeat(starts, counts)
    return owners, positions


def spread_periods(starts, ends, origin) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spread service periods over the months they touch.

    Returns (owner, month, weight): for each period and each month it touches,
    the period's index, the month (counted from `origin`'s month) and the
    share of the period's amount that month gets: days covered / days in the
    month, scaled so that each period's shares sum to 1.
    """
    starts, ends = as_days(starts), as_days(ends)
    first = month_index(starts, origin)
    count = month_index(ends, origin) - first + 1
    owner, position = repeat_ranges(count)
    month = first[owner] + position
    month_first = (np.datetime64(origin, "M") + month).astype("datetime64[D]")
    month_last = (np.datetime64(origin, "M") + month + 1).astype("datetime64[D]") - DAY
    covered = (np.minimum(ends[owner], month_last)
               - np.maximum(starts[owner], month_first)).astype(np.int64) + 1
    raw = covered / days_in_month(month_first)
    total = np.bincount(owner, weights=raw, minlength=len(starts))
    return owner, month, raw / total[owner]
