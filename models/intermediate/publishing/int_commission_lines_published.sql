{{ config(materialized="table") }}

{#-
    The commission lines readers were shown in final settlement periods
    (int_closed_periods_published), exactly as published: the rows a
    rebuild must keep. Snapshotted as a table at the start of the build.
-#}
with published as (
    {{ published_rows('fct_commission_lines') }}
),

final_periods as (
    select * from {{ ref('int_closed_periods_published') }}
),

final as (
    select published.*
    from published
    inner join final_periods
        on
            published.program_code = final_periods.program_code
            and published.settlement_period_start = final_periods.period_start
)

select * from final
