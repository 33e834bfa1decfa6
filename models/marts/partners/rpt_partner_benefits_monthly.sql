{#-
    Partner benefits per agreement and month.

    Commission programs: the net revenue (EUR) that the agreement's referred
    customers were invoiced in the month (invoice and credit-note lines by
    `issued_on`, every product, converted at the month's last-day rate), and
    the benefit threshold where the program has one (NWS: ≥ €500 in a month
    earns the free conference ticket and online training). "Referred" = the
    customer is attributed to the agreement: its lead won and no customer
    rule excludes it (commission exclusions of single lines, such as
    MyEngineer support for NWS or the end of the agreement, do not matter
    here: the benefit counts the customers' revenue). `eligible_this_year`
    is true from the first month of the calendar year that met the
    threshold until December ("eligible for the year once any month of it
    met it"); a new calendar year starts without it. Months run from the
    agreement's approval month to the as-of month, or to the month it was
    terminated (by either side: benefits are for members of the program,
    while a vendor termination's commission tail only pays on invoices);
    months without revenue show 0. Reseller rows follow the same months
    (benefits from the approval month to the termination month), while
    their tiers and discounts are reported in rpt_reseller_tiers_monthly
    whatever the agreement's state.
-#}
with lines as (
    select * from {{ ref('int_commission_lines_converted') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

terms as (
    select * from {{ ref('commission_terms') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_derived') }}
),

reseller_tiers as (
    select * from {{ ref('int_reseller_tiers_earned') }}
),

reseller_benefits as (
    select * from {{ ref('reseller_benefits') }}
),

spine as (
    {{ integer_spine(3) }}
),

commission_agreements as (
    select
        agreements.agreement_id,
        agreements.partner_id,
        agreements.program_code,
        agreements.terminated_on,
        {{ month_start('agreements.approved_on') }} as approved_month
    from agreements
    where
        agreements.rule_type in {{ commission_rule_types() }}
        and agreements.is_approved
),

agreement_months as (
    select
        commission_agreements.agreement_id,
        commission_agreements.partner_id,
        commission_agreements.program_code,
        {{ add_months('commission_agreements.approved_month', 'spine.n') }}
            as month_start
    from commission_agreements
    cross join as_of
    inner join spine
        on
            {{ add_months('commission_agreements.approved_month', 'spine.n') }}
            <= as_of.as_of_on
            and (
                commission_agreements.terminated_on is null
                or {{ add_months(
                    'commission_agreements.approved_month', 'spine.n') }}
                <= commission_agreements.terminated_on
            )
),

referred_revenue as (
    select
        lines.agreement_id,
        {{ month_start('lines.issued_on') }} as month_start,
        sum({{ convert_currency(
            'lines.line_net_amount',
            'invoice_rates.units_per_eur',
            'eur_rates.units_per_eur') }}) as referred_net_revenue_eur
    from lines
    inner join fx_rates as invoice_rates
        on
            lines.invoice_currency = invoice_rates.currency
            and {{ month_end('lines.issued_on') }} = invoice_rates.rate_on
    inner join fx_rates as eur_rates
        on
            eur_rates.currency = '{{ var("fx_base_currency") }}'
            and {{ month_end('lines.issued_on') }} = eur_rates.rate_on
    where lines.attribution_reason is null
    group by lines.agreement_id, {{ month_start('lines.issued_on') }}
),

commission_rows as (
    select
        agreement_months.partner_id,
        agreement_months.agreement_id,
        agreement_months.program_code,
        agreement_months.month_start,
        cast(
            coalesce(referred_revenue.referred_net_revenue_eur, 0)
            as {{ type_money_wide() }}
        ) as referred_net_revenue_eur,
        terms.benefit_threshold_eur,
        case
            when terms.benefit_threshold_eur is not null
                then
                    coalesce(referred_revenue.referred_net_revenue_eur, 0)
                    >= terms.benefit_threshold_eur
        end as meets_benefit_threshold,
        cast(null as {{ dbt.type_string() }}) as sla_level,
        cast(null as {{ dbt.type_int() }}) as effective_tier,
        cast(null as {{ dbt.type_string() }}) as tier_benefits,
        cast(null as boolean) as has_post_payment
    from agreement_months
    left join referred_revenue
        on
            agreement_months.agreement_id = referred_revenue.agreement_id
            and agreement_months.month_start = referred_revenue.month_start
    left join terms
        on
            agreement_months.program_code = terms.program_code
            and {{ in_force('terms', 'agreement_months.month_start') }}
),

tier_benefits as (
    select
        reseller_tiers.partner_id,
        reseller_tiers.month_start,
        {{ dbt.listagg(
            'reseller_benefits.benefit', "'; '",
            'order by reseller_benefits.benefit') }} as tier_benefits
    from reseller_tiers
    inner join reseller_benefits
        on
            reseller_tiers.program_code = reseller_benefits.program_code
            and reseller_tiers.effective_tier >= reseller_benefits.min_tier
            and {{ in_force(
                'reseller_benefits', 'reseller_tiers.month_start') }}
    group by reseller_tiers.partner_id, reseller_tiers.month_start
),

reseller_rows as (
    select
        reseller_tiers.partner_id,
        reseller_tiers.agreement_id,
        reseller_tiers.program_code,
        reseller_tiers.month_start,
        cast(null as {{ type_money_wide() }}) as referred_net_revenue_eur,
        cast(null as {{ type_money() }}) as benefit_threshold_eur,
        cast(null as boolean) as meets_benefit_threshold,
        reseller_tiers.sla_level,
        reseller_tiers.effective_tier,
        tier_benefits.tier_benefits,
        -- rule_reseller_post_payment: approved by the month's last day.
        coalesce(
            agreements.post_payment_approved_on
            <= {{ month_end('reseller_tiers.month_start') }},
            false
        ) as has_post_payment
    from reseller_tiers
    inner join agreements
        on reseller_tiers.agreement_id = agreements.agreement_id
    left join tier_benefits
        on
            reseller_tiers.partner_id = tier_benefits.partner_id
            and reseller_tiers.month_start = tier_benefits.month_start
    where
        agreements.is_approved
        and reseller_tiers.month_start
        >= {{ month_start('agreements.approved_on') }}
        and (
            agreements.terminated_on is null
            or reseller_tiers.month_start <= agreements.terminated_on
        )
),

commission_eligibility as (
    select
        commission_rows.*,
        case
            when commission_rows.benefit_threshold_eur is not null
                then max(
                    case
                        when commission_rows.meets_benefit_threshold then 1
                        else 0
                    end
                ) over (
                    partition by
                        commission_rows.agreement_id,
                        extract(year from commission_rows.month_start)
                    order by commission_rows.month_start
                    rows between unbounded preceding and current row
                ) = 1
        end as eligible_this_year
    from commission_rows
),

all_rows as (
    select
        commission_eligibility.partner_id,
        commission_eligibility.agreement_id,
        commission_eligibility.program_code,
        commission_eligibility.month_start,
        commission_eligibility.referred_net_revenue_eur,
        commission_eligibility.benefit_threshold_eur,
        commission_eligibility.meets_benefit_threshold,
        commission_eligibility.eligible_this_year,
        commission_eligibility.sla_level,
        commission_eligibility.effective_tier,
        commission_eligibility.tier_benefits,
        commission_eligibility.has_post_payment
    from commission_eligibility
    union all
    select
        reseller_rows.partner_id,
        reseller_rows.agreement_id,
        reseller_rows.program_code,
        reseller_rows.month_start,
        reseller_rows.referred_net_revenue_eur,
        reseller_rows.benefit_threshold_eur,
        reseller_rows.meets_benefit_threshold,
        cast(null as boolean) as eligible_this_year,
        reseller_rows.sla_level,
        reseller_rows.effective_tier,
        reseller_rows.tier_benefits,
        reseller_rows.has_post_payment
    from reseller_rows
),

final as (
    select
        partner_id,
        agreement_id,
        program_code,
        month_start,
        referred_net_revenue_eur,
        benefit_threshold_eur,
        meets_benefit_threshold,
        eligible_this_year,
        sla_level,
        effective_tier,
        tier_benefits,
        has_post_payment,
        {{ dbt.hash(dbt.concat([
            'agreement_id', "'|'",
            'cast(month_start as ' ~ dbt.type_string() ~ ')'])) }}
            as benefit_month_id
    from all_rows
)

select * from final
