{{ config(materialized="table") }}

{#-
    The reseller's tier, month by month (programs.md section 2):

    - Earned tier of month M = the band of the MRR of month M −
      `tier_basis_lag_months` (1: "the vendor checks monthly whether the
      partner moved during the previous month"), lower edge included
      (seed `reseller_tier_bands`, in force on M's first day). The basis
      MRR is that month's MRR rounded to cents (half away from zero): a
      month's MRR is a sum of spread shares kept at 12 decimals, so six
      quarterly lines of 1,000 add up to 1,999.999999999998, and the band
      edges are amounts in euros and cents; the tier is decided on the
      amount a partner manager sees.
    - Grace: a `tier_grace_periods` row lifts the reseller to its granted
      tier in every month its period touches: effective tier = max(earned,
      granted; the highest grant when periods overlap), `in_grace`. On the
      row of a grace period's last month, `grace_outcome` is `confirmed`
      when the earned tier reached the granted tier in some month of the
      period, `lapsed` otherwise (judged per grace period; when two end in
      the same month, the one granting the higher tier is reported).
    - `is_month_complete`: the month ended on or before the as-of date; a
      month still running then (the as-of month, unless the as-of date is
      its last day) only holds what was invoiced so far.
    - A basis MRR below 0 (a month whose credit notes exceed its recurring
      charges) earns the lowest tier.
    - The effective tier's discounts and SLA level; the distance to the next
      tier = the next band's lower edge − the basis MRR (null in the top
      tier).
-#}
with mrr as (
    select * from {{ ref('int_reseller_mrr_summed') }}
),

bands as (
    select * from {{ ref('reseller_tier_bands') }}
),

terms as (
    select * from {{ ref('reseller_terms') }}
),

grace_periods as (
    select * from {{ ref('stg_partner_crm__tier_grace_periods') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_derived') }}
),

based as (
    select
        mrr.*,
        {{ add_months(
            'mrr.month_start', '-1 * terms.tier_basis_lag_months') }}
            as basis_month_start
    from mrr
    left join terms
        on
            mrr.program_code = terms.program_code
            and {{ in_force('terms', 'mrr.month_start') }}
),

basis as (
    select
        based.*,
        {{ round_money('coalesce(previous_month.mrr_eur, 0)') }}
            as basis_mrr_eur
    from based
    left join mrr as previous_month
        on
            based.partner_id = previous_month.partner_id
            and based.basis_month_start = previous_month.month_start
),

earned as (
    select
        basis.*,
        bands.tier as earned_tier
    from basis
    left join bands
        on
            basis.program_code = bands.program_code
            and {{ in_force('bands', 'basis.month_start') }}
            and (
                basis.basis_mrr_eur >= bands.mrr_from_eur
                -- A month credited below 0 is in the lowest band, which
                -- starts at 0 (reseller_tier_bands_are_contiguous).
                or bands.mrr_from_eur = 0
            )
            and (
                bands.mrr_to_eur is null
                or basis.basis_mrr_eur < bands.mrr_to_eur
            )
),

grace as (
    select
        grace_periods.grace_period_id,
        grace_periods.partner_id,
        grace_periods.program_code,
        grace_periods.granted_tier,
        {{ month_start('grace_periods.starts_on') }} as first_month,
        {{ month_start('grace_periods.ends_on') }} as last_month
    from grace_periods
),

grace_coverage as (
    select
        grace.grace_period_id,
        earned.partner_id,
        earned.program_code,
        earned.month_start,
        earned.earned_tier,
        grace.granted_tier,
        grace.last_month
    from earned
    inner join grace
        on
            earned.partner_id = grace.partner_id
            and earned.program_code = grace.program_code
            and earned.month_start
            between grace.first_month and grace.last_month
),

grace_months as (
    select
        grace_coverage.partner_id,
        grace_coverage.program_code,
        grace_coverage.month_start,
        max(grace_coverage.granted_tier) as granted_tier
    from grace_coverage
    group by
        grace_coverage.partner_id,
        grace_coverage.program_code,
        grace_coverage.month_start
),

period_outcomes as (
    select
        grace_coverage.grace_period_id,
        grace_coverage.partner_id,
        grace_coverage.program_code,
        grace_coverage.last_month,
        grace_coverage.granted_tier,
        max(
            case
                when grace_coverage.earned_tier >= grace_coverage.granted_tier
                    then 1
                else 0
            end
        ) as is_confirmed
    from grace_coverage
    group by
        grace_coverage.grace_period_id,
        grace_coverage.partner_id,
        grace_coverage.program_code,
        grace_coverage.last_month,
        grace_coverage.granted_tier
),

ranked_outcomes as (
    select
        period_outcomes.*,
        row_number() over (
            partition by
                period_outcomes.partner_id,
                period_outcomes.program_code,
                period_outcomes.last_month
            order by
                period_outcomes.granted_tier desc,
                period_outcomes.is_confirmed asc,
                period_outcomes.grace_period_id asc
        ) as outcome_rank
    from period_outcomes
),

grace_outcomes as (
    select
        ranked_outcomes.partner_id,
        ranked_outcomes.program_code,
        ranked_outcomes.last_month as month_start,
        ranked_outcomes.is_confirmed
    from ranked_outcomes
    where ranked_outcomes.outcome_rank = 1
),

effective as (
    select
        earned.*,
        grace_months.granted_tier,
        grace_months.granted_tier is not null as in_grace,
        case
            when grace_months.granted_tier > earned.earned_tier
                then grace_months.granted_tier
            else earned.earned_tier
        end as effective_tier,
        case grace_outcomes.is_confirmed
            when 1 then 'confirmed'
            when 0 then 'lapsed'
        end as grace_outcome
    from earned
    left join grace_months
        on
            earned.partner_id = grace_months.partner_id
            and earned.program_code = grace_months.program_code
            and earned.month_start = grace_months.month_start
    left join grace_outcomes
        on
            earned.partner_id = grace_outcomes.partner_id
            and earned.program_code = grace_outcomes.program_code
            and earned.month_start = grace_outcomes.month_start
),

final as (
    select
        effective.reseller_month_id,
        effective.partner_id,
        effective.agreement_id,
        effective.program_code,
        effective.month_start,
        {{ month_end('effective.month_start') }} <= as_of.as_of_on
            as is_month_complete,
        effective.mrr_eur,
        effective.recurring_line_count,
        effective.basis_month_start,
        effective.basis_mrr_eur,
        effective.earned_tier,
        effective.granted_tier,
        effective.in_grace,
        effective.grace_outcome,
        effective.effective_tier,
        effective_bands.monthly_fee_discount_pct,
        effective_bands.setup_fee_discount_pct,
        effective_bands.sla_level,
        next_bands.tier as next_tier,
        cast(
            next_bands.mrr_from_eur - effective.basis_mrr_eur
            as {{ type_money() }}
        ) as mrr_to_next_tier_eur
    from effective
    cross join as_of
    left join bands as effective_bands
        on
            effective.program_code = effective_bands.program_code
            and effective.effective_tier = effective_bands.tier
            and {{ in_force('effective_bands', 'effective.month_start') }}
    left join bands as next_bands
        on
            effective.program_code = next_bands.program_code
            and effective.earned_tier + 1 = next_bands.tier
            and {{ in_force('next_bands', 'effective.month_start') }}
)

select * from final
