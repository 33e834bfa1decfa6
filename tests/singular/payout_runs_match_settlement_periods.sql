{#-
    A payout run of a commission program must close exactly one settlement
    period (start and end as the program's terms define them); a run that
    matches no period would silently leave a paid-out period open.
-#}
with runs as (
    select * from {{ ref('stg_partner_crm__payout_runs') }}
),

programs as (
    select * from {{ ref('programs') }}
),

periods as (
    select * from {{ ref('int_settlement_periods_listed') }}
)

select
    runs.payout_run_id,
    runs.period_start,
    runs.period_end,
    periods.period_end as expected_period_end
from runs
inner join programs
    on runs.program_code = programs.program_code
left join periods
    on
        runs.program_code = periods.program_code
        and runs.period_start = periods.period_start
where
    programs.rule_type in ('revenue_share', 'first_year_commission')
    and (periods.period_start is null or runs.period_end <> periods.period_end)
