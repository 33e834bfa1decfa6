{#-
    Where each reseller's MRR trend is heading: rule
    `rule_reseller_tier_outlook` (_resellers__docs.md), parameters from the
    seed `reseller_outlook_terms`, the basis lag from `reseller_terms`, both
    in force on the as-of date. The fit runs in floating point
    (`type_estimate`): estimates, rounded to cents and to 4 decimals, never
    amounts owed; `last_mrr_eur` and `next_tier_floor_eur` are the exact
    decimals of the tiers and the seed, never through a float.
-#}
with tiers as (
    select * from {{ ref('int_reseller_tiers_earned') }}
),

bands as (
    select * from {{ ref('reseller_tier_bands') }}
),

terms as (
    select * from {{ ref('reseller_terms') }}
),

outlook_terms as (
    select * from {{ ref('reseller_outlook_terms') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_derived') }}
),

resellers as (
    select distinct
        tiers.partner_id,
        tiers.agreement_id,
        tiers.program_code
    from tiers
),

settings as (
    select
        resellers.partner_id,
        resellers.agreement_id,
        resellers.program_code,
        as_of.as_of_on,
        {{ month_start('as_of.as_of_on') }} as as_of_month,
        terms.program_code is not null as has_terms,
        terms.tier_basis_lag_months,
        outlook_terms.program_code is not null as has_outlook_terms,
        outlook_terms.window_months,
        outlook_terms.min_months,
        outlook_terms.horizon_months,
        outlook_terms.high_drop_risk_pct,
        outlook_terms.medium_drop_risk_pct
    from resellers
    cross join as_of
    left join terms
        on
            resellers.program_code = terms.program_code
            and {{ in_force('terms', 'as_of.as_of_on') }}
    left join outlook_terms
        on
            resellers.program_code = outlook_terms.program_code
            and {{ in_force('outlook_terms', 'as_of.as_of_on') }}
),

-- Complete months before the as-of month, the latest first.
complete_months as (
    select
        tiers.partner_id,
        tiers.agreement_id,
        tiers.program_code,
        tiers.month_start,
        tiers.mrr_eur,
        settings.window_months,
        row_number() over (
            partition by
                tiers.partner_id, tiers.agreement_id, tiers.program_code
            order by tiers.month_start desc
        ) as months_back
    from tiers
    inner join settings
        on
            tiers.partner_id = settings.partner_id
            and tiers.agreement_id = settings.agreement_id
            and tiers.program_code = settings.program_code
    where tiers.month_start < settings.as_of_month
),

-- The window, indexed t = 0 (the oldest) .. n - 1 (the latest).
observed as (
    select
        complete_months.*,
        count(*) over (
            partition by
                complete_months.partner_id,
                complete_months.agreement_id,
                complete_months.program_code
        ) - complete_months.months_back as month_index
    from complete_months
    where complete_months.months_back <= complete_months.window_months
),

fits as (
    select
        observed.partner_id,
        observed.agreement_id,
        observed.program_code,
        regr_count(
            cast(observed.mrr_eur as {{ type_estimate() }}),
            cast(observed.month_index as {{ type_estimate() }})
        ) as months_observed,
        max(observed.month_start) as last_complete_month,
        regr_slope(
            cast(observed.mrr_eur as {{ type_estimate() }}),
            cast(observed.month_index as {{ type_estimate() }})
        ) as slope,
        regr_intercept(
            cast(observed.mrr_eur as {{ type_estimate() }}),
            cast(observed.month_index as {{ type_estimate() }})
        ) as intercept,
        regr_syy(
            cast(observed.mrr_eur as {{ type_estimate() }}),
            cast(observed.month_index as {{ type_estimate() }})
        ) as sum_of_squares_y,
        regr_sxy(
            cast(observed.mrr_eur as {{ type_estimate() }}),
            cast(observed.month_index as {{ type_estimate() }})
        ) as sum_of_products_xy
    from observed
    group by
        observed.partner_id,
        observed.agreement_id,
        observed.program_code
),

latest_months as (
    select
        observed.partner_id,
        observed.agreement_id,
        observed.program_code,
        observed.mrr_eur
    from observed
    where observed.months_back = 1
),

assessed as (
    select
        settings.*,
        coalesce(fits.months_observed, 0) as months_observed,
        fits.last_complete_month,
        fits.slope,
        fits.intercept,
        fits.sum_of_squares_y,
        fits.sum_of_products_xy,
        latest_months.mrr_eur as last_mrr_eur,
        current_months.earned_tier as current_tier,
        case
            when not settings.has_terms
                then 'no reseller terms in force at the as-of date: no outlook'
            when not settings.has_outlook_terms
                then 'no outlook terms in force at the as-of date: no outlook'
            when
                coalesce(fits.months_observed, 0) < settings.min_months
                or current_months.earned_tier is null
                then {{ dbt.concat([
                    "'fewer than '",
                    'cast(settings.min_months as ' ~ dbt.type_string() ~ ')',
                    "' complete months: no outlook'"]) }}
            else {{ dbt.concat([
                "'least-squares trend of the last '",
                'cast(settings.window_months as ' ~ dbt.type_string() ~ ')',
                "' complete months'"]) }}
        end as method,  -- noqa: RF04
        coalesce(
            settings.has_terms
            and settings.has_outlook_terms
            and fits.months_observed >= settings.min_months
            and current_months.earned_tier is not null,
            false
        ) as has_outlook
    from settings
    left join fits
        on
            settings.partner_id = fits.partner_id
            and settings.agreement_id = fits.agreement_id
            and settings.program_code = fits.program_code
    left join latest_months
        on
            settings.partner_id = latest_months.partner_id
            and settings.agreement_id = latest_months.agreement_id
            and settings.program_code = latest_months.program_code
    left join tiers as current_months
        on
            settings.partner_id = current_months.partner_id
            and settings.agreement_id = current_months.agreement_id
            and settings.program_code = current_months.program_code
            and settings.as_of_month = current_months.month_start
),

projected as (
    select
        assessed.*,
        next_bands.tier as next_tier,
        next_bands.mrr_from_eur as next_tier_floor_eur,
        cast(next_bands.mrr_from_eur as {{ type_estimate() }})
            as next_tier_floor,
        cast(current_bands.mrr_from_eur as {{ type_estimate() }})
            as current_tier_floor,
        assessed.intercept
        + assessed.slope * assessed.months_observed as projection,
        assessed.intercept
        + assessed.slope * (assessed.months_observed - 1) as fitted_last,
        -- Residual standard deviation (ddof 2); 0 for a line through every
        -- point (a residual sum of squares of float noise, below 1e-12 of
        -- the total, counts as none).
        case
            when
                assessed.months_observed > 2
                and assessed.sum_of_squares_y
                - assessed.slope * assessed.sum_of_products_xy
                > 1e-12 * assessed.sum_of_squares_y
                then sqrt(
                    (
                        assessed.sum_of_squares_y
                        - assessed.slope * assessed.sum_of_products_xy
                    ) / (assessed.months_observed - 2)
                )
            else 0
        end as spread
    from assessed
    left join bands as next_bands
        on
            assessed.program_code = next_bands.program_code
            and assessed.current_tier + 1 = next_bands.tier
            and {{ in_force('next_bands', 'assessed.as_of_on') }}
    left join bands as current_bands
        on
            assessed.program_code = current_bands.program_code
            and assessed.current_tier = current_bands.tier
            and assessed.current_tier > 0
            and {{ in_force('current_bands', 'assessed.as_of_on') }}
    where assessed.has_outlook
),

-- Months until the fitted line reaches the next floor, k = ceil((floor −
-- fitted last) / slope), at least 1; rounded to 6 decimals first so the
-- float fit cannot turn 5 into 5.0000001; clamped to 0 .. horizon + 1
-- before the decimal cast (a tiny slope gives a huge k). greatest() and
-- least() skip nulls: no next band (or b ≤ 0), no k.
distances as (
    select
        projected.*,
        case
            when projected.slope > 0 and projected.next_tier_floor is not null
                then least(greatest(
                    (projected.next_tier_floor - projected.fitted_last)
                    / projected.slope,
                    0
                ), projected.horizon_months + 1)
        end as months_to_floor_exact
    from projected
),

crossings as (
    select
        distances.*,
        case
            when distances.months_to_floor_exact is not null
                then greatest(1, ceil(round(cast(
                    distances.months_to_floor_exact
                    as {{ type_money_wide() }}
                ), 6)))
        end as months_to_floor,
        case
            when distances.current_tier_floor is null then null
            when distances.spread > 0
                then {{ normal_cdf(
                    '(distances.current_tier_floor - distances.projection)'
                    ~ ' / distances.spread') }}
            when distances.projection < distances.current_tier_floor then 1
            else 0
        end as drop_risk
    from distances
),

final as (
    select
        assessed.partner_id,
        assessed.agreement_id,
        assessed.program_code,
        assessed.as_of_month,
        cast(assessed.months_observed as {{ dbt.type_int() }})
            as months_observed,
        crossings.last_complete_month,
        cast(crossings.last_mrr_eur as {{ type_money_wide() }})
            as last_mrr_eur,
        cast(assessed.current_tier as {{ dbt.type_int() }}) as current_tier,
        {{ round_money(
            'cast(crossings.slope as ' ~ type_money_wide() ~ ')') }}
            as mrr_trend_eur_per_month,
        {{ round_money(
            'cast(crossings.projection as ' ~ type_money_wide() ~ ')') }}
            as projected_mrr_eur,
        cast(crossings.next_tier as {{ dbt.type_int() }}) as next_tier,
        cast(crossings.next_tier_floor_eur as {{ type_money() }})
            as next_tier_floor_eur,
        cast(
            case
                when crossings.months_to_floor <= crossings.horizon_months
                    then crossings.months_to_floor
            end as {{ dbt.type_int() }}
        ) as months_to_next_tier,
        case
            when crossings.months_to_floor <= crossings.horizon_months
                then {{ add_months(
                    'crossings.last_complete_month',
                    'crossings.months_to_floor'
                    ~ ' + crossings.tier_basis_lag_months') }}
        end as projected_next_tier_month,
        cast(
            round(cast(crossings.drop_risk as {{ type_money_wide() }}), 4)
            as {{ type_probability() }}
        ) as drop_risk_pct,
        case
            when crossings.drop_risk >= crossings.high_drop_risk_pct
                then 'high'
            when crossings.drop_risk >= crossings.medium_drop_risk_pct
                then 'medium'
            when crossings.drop_risk is not null then 'low'
        end as drop_risk_level,
        assessed.method
    from assessed
    left join crossings
        on
            assessed.partner_id = crossings.partner_id
            and assessed.agreement_id = crossings.agreement_id
            and assessed.program_code = crossings.program_code
)

select * from final
