{#-
    One Network's lead registry: one row per lead of a program with a deal
    window, with the eight fields the program tracks (lead status,
    registration time, referral partner, sales account owner, contacts
    introduced, deal status, deal close date, first-year SaaS revenue) and
    the lead that won when this one is a conflict. Holds no personal data:
    contacts are only counted.

    Deal status, first that applies: `lost` (lead rejected or withdrawn, in
    conflict with another lead, registered after its partner's agreement
    ended, or approved but not a valid lead for the program: no decision
    maker introduced, or the partner's agreement not approved; such a lead
    opens no window and earns nothing, so a contract the customer signs is
    not the partner's deal), `won` (a qualifying contract was signed in the
    deal window), `open` (the window is still running on the as-of date, or
    the lead awaits approval), `expired` (the window ended without a
    qualifying contract, or the lead expired before approval).

    First-year SaaS revenue is in the deal's currency (the qualifying
    contract's); a line billed in another currency is converted exactly at
    the rates of its issue day. Unknown (null) rather than understated when
    a rate is missing; tested never null on a won deal.
-#}
with leads as (
    select * from {{ ref('int_leads_attributed') }}
),

deals as (
    select * from {{ ref('int_deals_qualified') }}
),

partners as (
    select * from {{ ref('stg_partner_crm__partners') }}
),

contacts as (
    select * from {{ ref('stg_partner_crm__lead_contacts') }}
),

lines as (
    select * from {{ ref('int_invoice_lines_joined') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

basis as (
    select * from {{ ref('commission_basis') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_derived') }}
),

terms as (
    select * from {{ ref('commission_terms') }}
),

{# The programs with a registry: any terms row gives them a deal window. #}
registry_programs as (
    select distinct terms.program_code
    from terms
    where terms.deal_window_months is not null
),

registry_leads as (
    select
        leads.*,
        leads.lead_status in ('rejected', 'withdrawn')
        or coalesce(
            leads.attribution_reason in (
                'lead_conflict', 'agreement_terminated'
            )
            or leads.invalid_reason = 'agreement_terminated',
            false
        )
        or coalesce(
            leads.lead_status = 'approved'
            and leads.attribution_reason in (
                'no_valid_lead', 'agreement_not_approved'
            ),
            false
        ) as is_lost
    from leads
    inner join registry_programs
        on leads.program_code = registry_programs.program_code
),

contact_counts as (
    select
        contacts.lead_id,
        count(*) as contacts_introduced
    from contacts
    group by contacts.lead_id
),

won_deals as (
    select deals.*
    from deals
    inner join registry_leads
        on deals.lead_id = registry_leads.lead_id
    where
        deals.qualifying_contract_id is not null
        and not registry_leads.is_lost
),

deal_lines as (
    select
        won_deals.lead_id,
        won_deals.customer_id,
        won_deals.program_code,
        won_deals.approved_on,
        lines.invoice_line_id,
        lines.service_on,
        case
            when lines.invoice_currency = won_deals.deal_currency
                then lines.net_amount
            else cast(
                {{ convert_currency(
                    'lines.net_amount',
                    'line_rates.units_per_eur',
                    'deal_rates.units_per_eur') }}
                as {{ type_money_wide() }}
            )
        end as net_amount_deal_currency
    from won_deals
    inner join lines
        on
            won_deals.customer_id = lines.customer_id
            and won_deals.commission_window_starts_on <= lines.service_on
            and won_deals.commission_window_ends_on > lines.service_on
    {{ commission_basis_joins(
        'family', 'won_deals.program_code', 'product_family',
        'lines.product_family', 'lines.issued_on') }}
    left join fx_rates as line_rates
        on
            lines.invoice_currency = line_rates.currency
            and lines.issued_on = line_rates.rate_on
    left join fx_rates as deal_rates
        on
            won_deals.deal_currency = deal_rates.currency
            and lines.issued_on = deal_rates.rate_on
    where {{ commission_basis_included('family') }}
),

{#
    A line inside the first years of two won deals of the same customer
    (a re-registered lead whose deal starts before the first year of the
    earlier one ended) counts for the earlier deal only.
#}
first_counted as (
    select
        deal_lines.*,
        row_number() over (
            partition by deal_lines.program_code, deal_lines.invoice_line_id
            order by deal_lines.approved_on, deal_lines.lead_id
        ) as deal_rank
    from deal_lines
),

first_year_revenue as (
    select
        first_counted.lead_id,
        sum(first_counted.net_amount_deal_currency) as first_year_revenue,
        count(*) - count(first_counted.net_amount_deal_currency)
            as unconverted_line_count
    from first_counted
    where first_counted.deal_rank = 1
    group by first_counted.lead_id
),

final as (
    select
        registry_leads.lead_id,
        registry_leads.program_code,
        registry_leads.lead_status,
        registry_leads.registered_at as lead_registered_at,
        registry_leads.partner_id as referral_partner_id,
        partners.partner_name as referral_partner_name,
        registry_leads.agreement_id,
        registry_leads.sales_account_owner,
        coalesce(contact_counts.contacts_introduced, 0)
            as contacts_introduced,
        registry_leads.is_decision_maker_introduced,
        registry_leads.approved_at as lead_approved_at,
        deals.deal_window_ends_on,
        case
            when registry_leads.is_lost then 'lost'
            when deals.qualifying_contract_id is not null then 'won'
            when deals.deal_window_ends_on > as_of.as_of_on then 'open'
            when
                registry_leads.approved_at is null
                and registry_leads.lead_status = 'submitted'
                then 'open'
            else 'expired'
        end as deal_status,
        case
            when not registry_leads.is_lost
                then deals.qualifying_contract_id
        end as qualifying_contract_id,
        case
            when not registry_leads.is_lost then deals.deal_signed_on
        end as deal_close_date,
        cast(
            case
                when
                    deals.qualifying_contract_id is not null
                    and not registry_leads.is_lost
                    and coalesce(first_year_revenue.unconverted_line_count, 0)
                    = 0
                    then coalesce(first_year_revenue.first_year_revenue, 0)
            end as {{ type_money() }}
        ) as first_year_saas_revenue,
        case
            when
                deals.qualifying_contract_id is not null
                and not registry_leads.is_lost
                then deals.deal_currency
        end as revenue_currency,
        registry_leads.attribution_reason,
        registry_leads.conflict_with_lead_id
    from registry_leads
    cross join as_of
    left join partners
        on registry_leads.partner_id = partners.partner_id
    left join deals
        on registry_leads.lead_id = deals.lead_id
    left join contact_counts
        on registry_leads.lead_id = contact_counts.lead_id
    left join first_year_revenue
        on registry_leads.lead_id = first_year_revenue.lead_id
)

select * from final
