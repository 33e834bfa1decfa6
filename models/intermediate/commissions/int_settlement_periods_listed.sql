{#-
    Every settlement period of every commission program, from the first day
    its terms are in force until var `settlement_months_after_as_of` (12)
    months after the as-of date (or the last payout run), with its payout
    run: `closed_at` is when the period's statements were issued (null = the
    period is still open). A period an earlier build published as final
    (int_closed_periods_published) stays closed, at the time it was
    published as closed, whatever a later export's payout runs say
    (`is_final`). Periods are `settlement_months` calendar months
    long, aligned on 1 January (NWS: quarters; the others: months), as in
    force at the period's first month.
-#}
with terms as (
    select * from {{ ref('commission_terms') }}
),

payout_runs as (
    select * from {{ ref('stg_partner_crm__payout_runs') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_derived') }}
),

final_periods as (
    select * from {{ ref('int_closed_periods_published') }}
),

first_terms as (
    select {{ month_start('min(terms.valid_from)') }} as first_month
    from terms
),

last_runs as (
    select max(payout_runs.period_end) as last_run_ends_on
    from payout_runs
),

bounds as (
    select
        first_terms.first_month,
        {{ add_months(
            'coalesce(greatest(as_of.as_of_on, last_runs.last_run_ends_on),'
            ~ ' as_of.as_of_on)',
            var('settlement_months_after_as_of')) }} as last_day
    from first_terms
    cross join last_runs
    cross join as_of
),

spine as (
    {{ integer_spine(5) }}
),

months as (
    select {{ add_months('bounds.first_month', 'spine.n') }} as month_start
    from bounds
    inner join spine
        on {{ add_months('bounds.first_month', 'spine.n') }} <= bounds.last_day
),

periods as (
    select distinct
        terms.program_code,
        terms.settlement_months,
        {{ settlement_period_start(
            'months.month_start', 'terms.settlement_months') }} as period_start
    from months
    inner join terms
        on {{ in_force('terms', 'months.month_start') }}
),

final as (
    select
        {{ dbt.concat([
            'periods.program_code', "'|'",
            'cast(periods.period_start as ' ~ dbt.type_string() ~ ')']) }}
            as settlement_period_id,
        periods.program_code,
        periods.period_start,
        {{ add_days(
            add_months('periods.period_start', 'periods.settlement_months'),
            -1) }} as period_end,
        periods.settlement_months,
        coalesce(final_periods.closed_at, payout_runs.closed_at) as closed_at,
        final_periods.program_code is not null as is_final,
        payout_runs.period_end as run_period_end
    from periods
    left join payout_runs
        on
            periods.program_code = payout_runs.program_code
            and periods.period_start = payout_runs.period_start
    left join final_periods
        on
            periods.program_code = final_periods.program_code
            and periods.period_start = final_periods.period_start
)

select * from final
