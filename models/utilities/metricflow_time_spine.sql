{#-
    MetricFlow's time spine: one row per day (README, "Metrics (semantic
    layer)"). Built with dbt's cross-database `date_spine`, so it runs
    unchanged on DuckDB, PostgreSQL and Spark. Its range is the vars
    `time_spine_first_day` and `time_spine_last_day`: a calendar horizon,
    not a program term.
-#}
with days as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('time_spine_first_day') ~ "' as date)",
        dbt.dateadd(
            'day', 1,
            "cast('" ~ var('time_spine_last_day') ~ "' as date)")
    ) }}
)

select cast(days.date_day as date) as date_day
from days
