{{ config(materialized="table") }}

{#-
    The payout rows readers were shown for final settlement periods
    (int_closed_periods_published), exactly as published: their statements
    were issued, so a rebuild keeps them to the cent.
-#}
with published as (
    {{ published_rows('fct_partner_payouts') }}
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
            and published.period_start = final_periods.period_start
)

select * from final
