{#-
    The export's own time frame, one row: its as-of date, read from the
    days invoices and payments were recorded (from the median day on, up to
    the first silence longer than var `plausible_gap_days`), and the
    plausible range of each kind of date derived from it. The rule: doc
    block `rule_plausible_dates` (models/staging/_staging__docs.md).
-#}
with invoices as (
    select * from {{ source('billing', 'invoices') }}
),

payments as (
    select * from {{ source('billing', 'payments') }}
),

recorded as (
    select
        {{ parse_timestamp(clean_text('invoices.recorded_at')) }}
            as recorded_at
    from invoices
    union all
    select
        {{ parse_timestamp(clean_text('payments.recorded_at')) }}
            as recorded_at
    from payments
),

recorded_days as (
    select
        {{ timestamp_date('recorded.recorded_at') }} as recorded_on,
        count(*) as row_count
    from recorded
    where recorded.recorded_at is not null
    group by {{ timestamp_date('recorded.recorded_at') }}
),

ordered_days as (
    select
        recorded_days.recorded_on,
        sum(recorded_days.row_count) over (
            order by recorded_days.recorded_on
            rows between unbounded preceding and current row
        ) as rows_up_to_day,
        sum(recorded_days.row_count) over () as total_rows,
        lag(recorded_days.recorded_on) over (
            order by recorded_days.recorded_on
        ) as previous_on
    from recorded_days
),

median_day as (
    select min(ordered_days.recorded_on) as median_on
    from ordered_days
    where 2 * ordered_days.rows_up_to_day >= ordered_days.total_rows
),

first_silence as (
    select min(ordered_days.recorded_on) as resumes_on
    from ordered_days
    cross join median_day
    where
        ordered_days.recorded_on > median_day.median_on
        and {{ dbt.datediff(
            'ordered_days.previous_on', 'ordered_days.recorded_on', 'day') }}
        > {{ var('plausible_gap_days') }}
),

frame as (
    select
        max(median_day.median_on) as median_recorded_on,
        max(ordered_days.recorded_on) as export_as_of_on
    from ordered_days
    cross join median_day
    cross join first_silence
    where
        first_silence.resumes_on is null
        or ordered_days.recorded_on < first_silence.resumes_on
),

final as (
    select
        'export' as export_frame_id,
        frame.median_recorded_on,
        frame.export_as_of_on,
        {{ add_months(
            'frame.export_as_of_on',
            -12 * var('plausible_years_before_as_of')) }}
            as earliest_plausible_on,
        {{ add_days(
            'frame.export_as_of_on', var('plausible_event_days_after_as_of')) }}
            as latest_event_on,
        {{ add_months(
            'frame.export_as_of_on',
            12 * var('plausible_planned_years_after_as_of')) }}
            as latest_planned_on
    from frame
)

select * from final
