{{ config(materialized="table") }}

{#-
    NetSource's base after the original term (doc block
    `rule_netsource_base_after_term`), for the lines of every customer with a
    lead in a program that caps the base (`caps_base_at_original_contract`,
    seed `commission_terms`, in force on the line's earning day: its issue
    day, its corrected invoice's for a credit note). One row per line and
    such program; int_commission_lines_evaluated takes `base_amount` from
    here and the net amount elsewhere.
-#}
{%- set earning_on = 'coalesce(lines.corrected_issued_on, lines.issued_on)' -%}

with lines as (
    select * from {{ ref('int_invoice_lines_joined') }}
),

leads as (
    select * from {{ ref('int_leads_validated') }}
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

registered_customers as (
    select distinct
        leads.customer_id,
        leads.program_code
    from leads
),

capping as (
    select
        lines.*,
        registered_customers.program_code,
        original_contracts.post_term_starts_on,
        lines.charge_type = 'recurring'
        and lines.service_period_starts_on
        >= original_contracts.post_term_starts_on as is_after_original_term,
        case
            when original_contracts.original_currency = lines.invoice_currency
                then cast(
                    original_contracts.original_monthly_amount
                    as {{ type_money_wide() }}
                )
            else cast(
                {{ convert_currency(
                    'original_contracts.original_monthly_amount',
                    'original_rates.units_per_eur',
                    'invoice_rates.units_per_eur') }}
                as {{ type_money_wide() }}
            )
        end * lines.service_months as original_contract_cap_amount
    from lines
    inner join registered_customers
        on lines.customer_id = registered_customers.customer_id
    inner join terms
        on
            registered_customers.program_code = terms.program_code
            and {{ in_force('terms', earning_on) }}
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
    where coalesce(terms.caps_base_at_original_contract, false)
),

{#
    A credit note takes back what its invoice line earned beyond what stays
    under the cap. Matched to its invoice line (same root invoice, contract,
    product and service start), the credit notes of a line are taken in
    order; each one's base is min(invoice net + credits up to and including
    it, cap) - min(invoice net + earlier credits, cap).
#}
capped_invoice_lines as (
    select
        capping.program_code,
        capping.invoice_id,
        capping.invoice_line_id,
        capping.contract_id,
        capping.product_code,
        capping.service_period_starts_on,
        capping.net_amount,
        capping.original_contract_cap_amount,
        row_number() over (
            partition by
                capping.program_code,
                capping.invoice_id,
                capping.contract_id,
                capping.product_code,
                capping.service_period_starts_on
            order by capping.invoice_line_id
        ) as match_rank
    from capping
    where capping.is_after_original_term and not capping.is_credit_note
),

credit_matches as (
    select
        credits.program_code,
        credits.invoice_line_id,
        invoiced.net_amount as invoiced_net_amount,
        invoiced.original_contract_cap_amount as invoiced_cap_amount,
        sum(credits.net_amount) over (
            partition by credits.program_code, invoiced.invoice_line_id
            order by
                credits.issued_on, credits.invoice_id, credits.invoice_line_id
            rows between unbounded preceding and current row
        ) as credits_through_amount
    from capping as credits
    inner join capped_invoice_lines as invoiced
        on
            credits.program_code = invoiced.program_code
            and credits.root_invoice_id = invoiced.invoice_id
            and credits.contract_id = invoiced.contract_id
            and credits.product_code = invoiced.product_code
            and credits.service_period_starts_on
            = invoiced.service_period_starts_on
            and invoiced.match_rank = 1
    where credits.is_after_original_term and credits.is_credit_note
),

final as (
    select
        {{ dbt.concat([
            'capping.invoice_line_id', "'|'", 'capping.program_code']) }}
            as capped_base_id,
        capping.invoice_line_id,
        capping.program_code,
        coalesce(capping.is_after_original_term, false)
            as is_after_original_term,
        capping.original_contract_cap_amount,
        cast(
            case
                when not coalesce(capping.is_after_original_term, false)
                    then capping.net_amount
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
                            - capping.net_amount,
                            credit_matches.invoiced_cap_amount
                        )
                when capping.net_amount >= 0
                    then least(
                        capping.net_amount,
                        capping.original_contract_cap_amount
                    )
                else greatest(
                    capping.net_amount,
                    -1 * capping.original_contract_cap_amount
                )
            end as {{ type_money_wide() }}
        ) as base_amount
    from capping
    left join credit_matches
        on
            capping.program_code = credit_matches.program_code
            and capping.invoice_line_id = credit_matches.invoice_line_id
)

select * from final
