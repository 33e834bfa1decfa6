{{ config(materialized="table") }}

{#-
    The commission lines as published: what this build computed
    (int_commission_lines_converted), except in the settlement periods an
    earlier build published as final, whose rows are kept exactly as
    published (int_commission_lines_published). Where this build computes
    something else for a line published in a final period (a corrected
    amount, a line now excluded or held, or gone from the export), the
    difference is booked as a correction row in the first period of the
    program that is open now. Rule: doc block `rule_closed_periods`.
-#}

with computed as (
    select * from {{ ref('int_commission_lines_converted') }}
),

published as (
    select * from {{ ref('int_commission_lines_published') }}
),

periods as (
    select * from {{ ref('int_settlement_periods_listed') }}
),

{# The corrections already published, per line. #}
earlier_corrections as (
    select
        published.invoice_line_id,
        published.agreement_id,
        sum(published.commission_amount_payout_currency) as corrected_amount,
        sum(published.commission_amount) as corrected_commission_amount,
        sum(published.commissionable_amount) as corrected_base_amount,
        sum(published.commissionable_amount_payout_currency)
            as corrected_base_payout_amount,
        max(published.settlement_period_start) as last_period_start
    from published
    where coalesce(published.is_correction, false)
    group by published.invoice_line_id, published.agreement_id
),

{# The line rows of final periods, with the corrections already published. #}
published_lines as (
    select
        published.*,
        coalesce(earlier.corrected_amount, 0) as corrected_amount,
        coalesce(earlier.corrected_commission_amount, 0)
            as corrected_commission_amount,
        coalesce(earlier.corrected_base_amount, 0) as corrected_base_amount,
        coalesce(earlier.corrected_base_payout_amount, 0)
            as corrected_base_payout_amount,
        coalesce(
            earlier.last_period_start, published.settlement_period_start
        ) as last_period_start
    from published
    left join earlier_corrections as earlier
        on
            published.invoice_line_id = earlier.invoice_line_id
            and published.agreement_id = earlier.agreement_id
    where not coalesce(published.is_correction, false)
),

{# What each published line should earn now, against what it was paid. #}
differences as (
    select
        published_lines.*,
        computed.exclusion_reason as recomputed_exclusion_reason,
        case
            when computed.status = 'payable'
                then computed.commission_amount_payout_currency
            else 0
        end
        - published_lines.commission_amount_payout_currency
        - published_lines.corrected_amount as difference_amount,
        case
            when computed.status = 'payable'
                then computed.commission_amount
            else 0
        end
        - published_lines.commission_amount
        - published_lines.corrected_commission_amount
            as difference_commission_amount,
        case
            when computed.status = 'payable'
                then computed.commissionable_amount
            else 0
        end
        - published_lines.commissionable_amount
        - published_lines.corrected_base_amount as difference_base_amount,
        case
            when computed.status = 'payable'
                then computed.commissionable_amount_payout_currency
            else 0
        end
        - coalesce(published_lines.commissionable_amount_payout_currency, 0)
        - published_lines.corrected_base_payout_amount
            as difference_base_payout_amount,
        case
            when computed.status = 'payable'
                then computed.commission_amount_payout_currency
            else 0
        end as recomputed_amount,
        coalesce(computed.status, 'gone') as recomputed_status
    from published_lines
    left join computed
        on published_lines.commission_line_id = computed.commission_line_id
),

correction_periods as (
    select
        differences.commission_line_id,
        min(periods.period_start) as period_start
    from differences
    inner join periods
        on
            differences.program_code = periods.program_code
            and differences.last_period_start < periods.period_start
            and periods.closed_at is null
    where differences.difference_amount <> 0
    group by differences.commission_line_id
),

corrections as (
    select
        {{ dbt.hash(dbt.concat([
            'differences.commission_line_id', "'|correction|'",
            'cast(periods.period_start as ' ~ dbt.type_string() ~ ')'])) }}
            as commission_line_id,
        differences.partner_id,
        differences.agreement_id,
        differences.program_code,
        differences.customer_id,
        differences.lead_id,
        differences.invoice_id,
        differences.invoice_line_id,
        differences.document_type,
        differences.issued_on,
        differences.product_code,
        differences.product_family,
        differences.charge_type,
        differences.service_period_starts_on,
        differences.service_period_ends_on,
        differences.line_net_amount,
        differences.is_after_original_term,
        false as is_base_capped,
        differences.difference_base_amount as commissionable_amount,
        differences.invoice_currency,
        differences.requested_commission_rate,
        differences.commission_rate,
        false as is_rate_capped,
        differences.difference_commission_amount as commission_amount,
        differences.payout_currency,
        cast(null as {{ type_fx_rate() }}) as invoice_units_per_eur,
        cast(null as {{ type_fx_rate() }}) as payout_units_per_eur,
        cast(differences.difference_amount as {{ type_money_wide() }})
            as commission_amount_payout_currency,
        cast(
            differences.difference_base_payout_amount as {{ type_money_wide() }}
        ) as commissionable_amount_payout_currency,
        cast(null as date) as settles_on,
        cast(null as {{ dbt.type_string() }}) as deciding_payment_id,
        cast(null as {{ dbt.type_timestamp() }}) as deciding_recorded_at,
        differences.natural_period_start,
        periods.period_start as settlement_period_start,
        periods.period_end as settlement_period_end,
        true as is_adjustment,
        'closed_period_correction' as adjustment_reason,
        {{ dbt.concat([
            "'Correction of the final period starting '",
            'cast(differences.settlement_period_start as '
                ~ dbt.type_string() ~ ')',
            "': published '",
            'cast(' ~ round_money(
                'differences.commission_amount_payout_currency'
                ~ ' + differences.corrected_amount')
                ~ ' as ' ~ dbt.type_string() ~ ')',
            "', recomputed '",
            'cast(' ~ round_money('differences.recomputed_amount')
                ~ ' as ' ~ dbt.type_string() ~ ')',
            "' '", 'differences.payout_currency',
            "' ('", 'differences.recomputed_status',
            "coalesce(" ~ dbt.concat(["': '",
                'differences.recomputed_exclusion_reason']) ~ ", '')",
            "')'"]) }} as adjustment_note,
        true as is_correction,
        false as is_final,
        case
            when terms.payout_due_months_after_period is not null
                then {{ month_end(add_months(
                    'periods.period_end',
                    'terms.payout_due_months_after_period')) }}
            else {{ add_days(
                'periods.period_end', 'terms.payout_due_days_after_receipt') }}
        end as payable_on,
        'payable' as status,
        cast(null as {{ dbt.type_string() }}) as exclusion_reason
    from differences
    inner join correction_periods
        on
            differences.commission_line_id
            = correction_periods.commission_line_id
    inner join periods
        on
            differences.program_code = periods.program_code
            and correction_periods.period_start = periods.period_start
    left join {{ ref('commission_terms') }} as terms
        on
            differences.program_code = terms.program_code
            and {{ in_force('terms', 'periods.period_start') }}
),

{# This build's lines, except those published in a final period. #}
fresh as (
    select
        computed.commission_line_id,
        computed.partner_id,
        computed.agreement_id,
        computed.program_code,
        computed.customer_id,
        computed.lead_id,
        computed.invoice_id,
        computed.invoice_line_id,
        computed.document_type,
        computed.issued_on,
        computed.product_code,
        computed.product_family,
        computed.charge_type,
        computed.service_period_starts_on,
        computed.service_period_ends_on,
        computed.line_net_amount,
        computed.is_after_original_term,
        computed.is_base_capped,
        computed.commissionable_amount,
        computed.invoice_currency,
        computed.requested_commission_rate,
        computed.commission_rate,
        computed.is_rate_capped,
        computed.commission_amount,
        computed.payout_currency,
        computed.invoice_units_per_eur,
        computed.payout_units_per_eur,
        computed.commission_amount_payout_currency,
        computed.commissionable_amount_payout_currency,
        computed.settles_on,
        computed.deciding_payment_id,
        computed.deciding_recorded_at,
        computed.natural_period_start,
        computed.settlement_period_start,
        computed.settlement_period_end,
        computed.is_adjustment,
        computed.adjustment_reason,
        cast(null as {{ dbt.type_string() }}) as adjustment_note,
        false as is_correction,
        computed.settlement_period_closed_at is not null as is_final,
        computed.payable_on,
        computed.status,
        computed.exclusion_reason
    from computed
    left join published
        on computed.commission_line_id = published.commission_line_id
    where published.commission_line_id is null
),

{# In the mart's column order (published rows come in it). #}
final as (
    select * from published
    union all
    select * from fresh
    union all
    select * from corrections
)

select * from final
