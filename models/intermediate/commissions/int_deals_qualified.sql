{#-
    Deals of the programs with a deal window (One Network): for every lead
    approved in such a program, the qualifying contract and the commission
    window it opens.

    - Deal window: the contract must be signed (`signed_on`) on or after the
      lead's approval day and before approval + `deal_window_months`.
    - Qualifying contract: a contract of the lead's customer, signed in the
      window, whose product family is in the program's basis (One Network:
      `saas`); the first one by service start (then by id). Renewals signed
      in the window of a re-registered lead qualify too (One Network: a new
      approved lead opens its own window).
    - First year (commission window): from the qualifying contract's
      `starts_on` to `starts_on` + `commission_window_months` (exclusive).
-#}
with leads as (
    select * from {{ ref('int_leads_attributed') }}
),

contracts as (
    select * from {{ ref('stg_billing__contracts') }}
),

products as (
    select * from {{ ref('stg_billing__products') }}
),

basis as (
    select * from {{ ref('commission_basis') }}
),

windowed_leads as (
    select
        leads.*,
        {{ timestamp_date('leads.approved_at') }} as approved_on,
        {{ add_months(
            timestamp_date('leads.approved_at'), 'leads.deal_window_months') }}
            as deal_window_ends_on
    from leads
    where
        leads.deal_window_months is not null
        and leads.approved_at is not null
),

candidates as (
    select
        windowed_leads.lead_id,
        contracts.contract_id,
        contracts.signed_on,
        contracts.starts_on,
        contracts.currency,
        row_number() over (
            partition by windowed_leads.lead_id
            order by contracts.starts_on, contracts.contract_id
        ) as deal_rank
    from windowed_leads
    inner join contracts
        on
            windowed_leads.customer_id = contracts.customer_id
            and windowed_leads.approved_on <= contracts.signed_on
            and windowed_leads.deal_window_ends_on > contracts.signed_on
    inner join products
        on contracts.product_code = products.product_code
    {{ commission_basis_joins(
        'family', 'windowed_leads.program_code', 'product_family',
        'products.product_family', 'contracts.signed_on') }}
    where {{ commission_basis_included('family') }}
),

final as (
    select
        windowed_leads.lead_id,
        windowed_leads.program_code,
        windowed_leads.partner_id,
        windowed_leads.agreement_id,
        windowed_leads.customer_id,
        windowed_leads.approved_on,
        windowed_leads.deal_window_ends_on,
        candidates.contract_id as qualifying_contract_id,
        candidates.signed_on as deal_signed_on,
        candidates.currency as deal_currency,
        candidates.starts_on as commission_window_starts_on,
        {{ add_months(
            'candidates.starts_on',
            'windowed_leads.commission_window_months') }}
            as commission_window_ends_on
    from windowed_leads
    left join candidates
        on
            windowed_leads.lead_id = candidates.lead_id
            and candidates.deal_rank = 1
)

select * from final
