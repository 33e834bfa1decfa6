{{ config(materialized="table") }}

{#-
    The commission rules, applied to every invoice line of a customer for
    whom a partner registered a lead in a commission program, once per that
    partner's agreement (programs.md, "Which lines appear"). The terms are
    the ones in force on the line's earning day: its `issued_on`, or for a
    credit note the issue day of the invoice it corrects, so that a credit
    note takes back exactly what its invoice earned (rate, cap, basis,
    termination tail), whatever changed since. How the line settles (period
    length, trigger, due rule, payout currency) follows the terms in force
    on its own `issued_on`.

    1. The deciding lead: of the agreement's leads for the customer, the one
       that got furthest (attributed before any reason; then the reason
       latest in programs.md's order), preferring a lead whose commission
       window holds the line, then the earliest.
    2. `exclusion_reason`, the first that applies in programs.md's order:
       agreement_not_approved (the agreement is not approved, or was
       approved after the line was issued); the lead's attribution reason;
       agreement_terminated (partner: issued after `terminated_on`; vendor:
       issued on or after the first day of the termination month +
       `vendor_termination_tail_months`, or after `terminated_on` when the
       program has no tail); for a credit note both dates are its corrected
       invoice's issue day, so it claws back what that invoice earned;
       outside_commission_window (the line was issued before the lead was
       registered: a referral earns from its registration day on, so a
       lead registered late never pays for sales made before it; One
       Network: the line's service does not start in the deal's first
       year), product_excluded and charge_type_excluded (seed
       `commission_basis`).
    3. Rate: the agreement's override, else the program's rate; capped at
       `max_commission_rate` (NetSource 10 %), `is_rate_capped` reports it.
    4. Base: the line's net amount; where the program caps it at the original
       contract (NetSource), a recurring line whose service starts on or after
       the end of the original term (original start + term_months) counts at
       most the original `monthly_amount` × the months the line covers,
       converted at its earning day's rates; a credit note takes back what
       its invoice line earned beyond what stays under the cap (see
       `credit_matches`).
    5. `commission_amount` = base × rate at full precision (excluded lines:
       base 0, commission 0). Rounding happens once, per payout row.
-#}
{%- set earning_on = 'coalesce(lines.corrected_issued_on, lines.issued_on)' -%}

with lines as (
    select * from {{ ref('int_invoice_lines_joined') }}
),

leads as (
    select * from {{ ref('int_leads_attributed') }}
),

deals as (
    select * from {{ ref('int_deals_qualified') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

original_contracts as (
    select * from {{ ref('int_original_contracts_identified') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

terms as (
    select * from {{ ref('commission_terms') }}
),

basis as (
    select * from {{ ref('commission_basis') }}
),

exclusion_reasons as (
    select * from {{ ref('exclusion_reasons') }}
),

agreement_leads as (
    select
        leads.lead_id,
        leads.agreement_id,
        leads.customer_id,
        leads.registered_at,
        {{ timestamp_date('leads.registered_at') }} as registered_on,
        leads.attribution_reason,
        leads.commission_window_months,
        deals.commission_window_starts_on,
        deals.commission_window_ends_on,
        coalesce(exclusion_reasons.precedence, 1000) as reason_progress
    from leads
    left join deals
        on leads.lead_id = deals.lead_id
    left join exclusion_reasons
        on leads.attribution_reason = exclusion_reasons.exclusion_reason
    where leads.agreement_id is not null
),

line_lead_windows as (
    select
        lines.invoice_line_id,
        agreement_leads.agreement_id,
        agreement_leads.lead_id,
        agreement_leads.attribution_reason,
        agreement_leads.reason_progress,
        agreement_leads.registered_at,
        coalesce(lines.corrected_issued_on, lines.issued_on)
        >= agreement_leads.registered_on
        and (
            agreement_leads.commission_window_months is null
            or coalesce(
                agreement_leads.commission_window_starts_on <= lines.service_on
                and agreement_leads.commission_window_ends_on
                > lines.service_on,
                false
            )
        ) as is_in_commission_window
    from lines
    inner join agreement_leads
        on lines.customer_id = agreement_leads.customer_id
),

line_leads as (
    select
        line_lead_windows.*,
        row_number() over (
            partition by
                line_lead_windows.invoice_line_id,
                line_lead_windows.agreement_id
            order by
                line_lead_windows.reason_progress desc,
                case
                    when line_lead_windows.is_in_commission_window then 0
                    else 1
                end asc,
                line_lead_windows.registered_at asc,
                line_lead_windows.lead_id asc
        ) as lead_rank
    from line_lead_windows
),

decided as (
    select
        lines.*,
        line_leads.lead_id,
        line_leads.attribution_reason,
        line_leads.is_in_commission_window,
        agreements.agreement_id,
        agreements.partner_id,
        agreements.program_code,
        agreements.approved_on,
        agreements.terminated_on,
        agreements.terminated_by,
        agreements.commission_rate_override,
        {#-
            The day the agreement must have been in force: the issue day,
            or for a credit note the corrected invoice's issue day (a
            credit note claws back what its invoice earned, even after the
            agreement ended).
        #}
        coalesce(lines.corrected_issued_on, lines.issued_on) as earning_on,
        coalesce(
            agreements.payout_currency_override, period_terms.payout_currency
        ) as payout_currency,
        terms.commission_rate as program_commission_rate,
        terms.max_commission_rate,
        period_terms.settlement_months,
        period_terms.settlement_trigger,
        period_terms.payout_due_months_after_period,
        period_terms.payout_due_days_after_receipt,
        terms.vendor_termination_tail_months,
        coalesce(terms.caps_base_at_original_contract, false)
            as caps_base_at_original_contract,
        {{ commission_basis_included('family') }} as is_product_included,
        {{ commission_basis_included('charge') }} as is_charge_type_included,
        original_contracts.post_term_starts_on,
        original_contracts.original_monthly_amount,
        original_contracts.original_currency,
        original_rates.units_per_eur as original_units_per_eur,
        invoice_rates.units_per_eur as invoice_units_per_eur
    from line_leads
    inner join lines
        on line_leads.invoice_line_id = lines.invoice_line_id
    inner join agreements
        on line_leads.agreement_id = agreements.agreement_id
    left join terms
        on
            agreements.program_code = terms.program_code
            and {{ in_force('terms', earning_on) }}
    left join terms as period_terms
        on
            agreements.program_code = period_terms.program_code
            and {{ in_force('period_terms', 'lines.issued_on') }}
    {{ commission_basis_joins(
        'family', 'agreements.program_code', 'product_family',
        'lines.product_family', earning_on) }}
    {{ commission_basis_joins(
        'charge', 'agreements.program_code', 'charge_type',
        'lines.charge_type', earning_on) }}
    left join original_contracts
        on lines.customer_id = original_contracts.customer_id
    left join fx_rates as original_rates
        on
            original_contracts.original_currency = original_rates.currency
            and {{ earning_on }} = original_rates.rate_on
    left join fx_rates as invoice_rates
        on
            lines.invoice_currency = invoice_rates.currency
            and {{ earning_on }} = invoice_rates.rate_on
    where line_leads.lead_rank = 1
),

checked as (
    select
        decided.*,
        case
            when decided.attribution_reason = 'agreement_not_approved'
                then decided.attribution_reason
            when decided.earning_on < decided.approved_on
                then 'agreement_not_approved'
            when decided.attribution_reason is not null
                then decided.attribution_reason
            when
                decided.terminated_on is not null
                and (
                    case
                        when
                            decided.terminated_by = 'vendor'
                            and decided.vendor_termination_tail_months
                            is not null
                            then decided.earning_on >= {{ add_months(
                                month_start('decided.terminated_on'),
                                'decided.vendor_termination_tail_months') }}
                        else decided.earning_on > decided.terminated_on
                    end
                )
                then 'agreement_terminated'
            when not decided.is_in_commission_window
                then 'outside_commission_window'
            when not decided.is_product_included
                then 'product_excluded'
            when not decided.is_charge_type_included
                then 'charge_type_excluded'
        end as exclusion_reason,
        coalesce(
            decided.commission_rate_override, decided.program_commission_rate
        ) as requested_commission_rate,
        decided.caps_base_at_original_contract
        and decided.charge_type = 'recurring'
        and decided.service_period_starts_on >= decided.post_term_starts_on
            as is_after_original_term,
        case
            when decided.original_currency = decided.invoice_currency
                then cast(
                    decided.original_monthly_amount
                    as {{ type_money_wide() }}
                )
            else cast(
                {{ convert_currency(
                    'decided.original_monthly_amount',
                    'decided.original_units_per_eur',
                    'decided.invoice_units_per_eur') }}
                as {{ type_money_wide() }}
            )
        end * decided.service_months as original_contract_cap_amount
    from decided
),

{#
    NetSource's cap and credit notes: a credit note takes back what its
    invoice line earned beyond what stays under the cap. Matched to its
    invoice line (same root invoice, contract, product and service start),
    the credit notes of a line are taken in order; each one's base is
    min(invoice net + credits up to and including it, cap) - min(invoice
    net + earlier credits, cap), so an invoice of 1,200 capped at 1,000
    keeps earning 1,000 after a credit of -200, and a full credit takes
    back exactly 1,000. A credit note without a matching invoice line is
    limited to the cap, negative.
#}
capped_invoice_lines as (
    select
        checked.agreement_id,
        checked.invoice_id,
        checked.invoice_line_id,
        checked.contract_id,
        checked.product_code,
        checked.service_period_starts_on,
        checked.net_amount,
        checked.original_contract_cap_amount,
        row_number() over (
            partition by
                checked.agreement_id,
                checked.invoice_id,
                checked.contract_id,
                checked.product_code,
                checked.service_period_starts_on
            order by checked.invoice_line_id
        ) as match_rank
    from checked
    where checked.is_after_original_term and not checked.is_credit_note
),

credit_matches as (
    select
        credits.agreement_id,
        credits.invoice_line_id,
        invoiced.net_amount as invoiced_net_amount,
        invoiced.original_contract_cap_amount as invoiced_cap_amount,
        sum(credits.net_amount) over (
            partition by credits.agreement_id, invoiced.invoice_line_id
            order by
                credits.issued_on, credits.invoice_id, credits.invoice_line_id
            rows between unbounded preceding and current row
        ) as credits_through_amount
    from checked as credits
    inner join capped_invoice_lines as invoiced
        on
            credits.agreement_id = invoiced.agreement_id
            and credits.root_invoice_id = invoiced.invoice_id
            and credits.contract_id = invoiced.contract_id
            and credits.product_code = invoiced.product_code
            and credits.service_period_starts_on
            = invoiced.service_period_starts_on
            and invoiced.match_rank = 1
    where credits.is_after_original_term and credits.is_credit_note
),

based as (
    select
        checked.*,
        case
            when
                checked.max_commission_rate is not null
                and checked.requested_commission_rate
                > checked.max_commission_rate
                then checked.max_commission_rate
            else checked.requested_commission_rate
        end as commission_rate,
        coalesce(
            checked.requested_commission_rate > checked.max_commission_rate,
            false
        ) as is_rate_capped,
        cast(
            case
                when not coalesce(checked.is_after_original_term, false)
                    then checked.net_amount
                when credit_matches.invoice_line_id is not null
                    then
                        least(
                            credit_matches.invoiced_net_amount
                            + credit_matches.credits_through_amount,
                            credit_matches.invoiced_cap_amount
                        )
                        - least(
                            credit_matches.invoiced_net_amount
                            + credit_matches.credits_through_amount
                            - checked.net_amount,
                            credit_matches.invoiced_cap_amount
                        )
                when checked.net_amount >= 0
                    then least(
                        checked.net_amount,
                        checked.original_contract_cap_amount
                    )
                else greatest(
                    checked.net_amount,
                    -1 * checked.original_contract_cap_amount
                )
            end as {{ type_money_wide() }}
        ) as base_amount
    from checked
    left join credit_matches
        on
            checked.agreement_id = credit_matches.agreement_id
            and checked.invoice_line_id = credit_matches.invoice_line_id
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'based.invoice_line_id', "'|'", 'based.agreement_id'])) }}
            as commission_line_id,
        based.invoice_line_id,
        based.invoice_id,
        based.agreement_id,
        based.partner_id,
        based.program_code,
        based.customer_id,
        based.lead_id,
        based.document_type,
        based.is_credit_note,
        based.corrects_invoice_id,
        based.issued_on,
        based.invoice_recorded_at,
        based.product_code,
        based.product_family,
        based.charge_type,
        based.service_period_starts_on,
        based.service_period_ends_on,
        based.invoice_currency,
        based.net_amount as line_net_amount,
        coalesce(based.is_after_original_term, false)
            as is_after_original_term,
        based.original_contract_cap_amount,
        based.base_amount,
        based.exclusion_reason is null
        and based.base_amount <> based.net_amount as is_base_capped,
        case
            when based.exclusion_reason is null then based.base_amount
            else cast(0 as {{ type_money_wide() }})
        end as commissionable_amount,
        based.requested_commission_rate,
        based.commission_rate,
        based.is_rate_capped,
        cast(
            case
                when based.exclusion_reason is null
                    then based.base_amount * based.commission_rate
                else 0
            end as {{ type_money_wide() }}
        ) as commission_amount,
        based.attribution_reason,
        based.exclusion_reason,
        based.payout_currency,
        based.settlement_months,
        based.settlement_trigger,
        based.payout_due_months_after_period,
        based.payout_due_days_after_receipt
    from based
)

select * from final
