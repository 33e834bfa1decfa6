{#-
    Each customer's original contract: the earliest contract by service start
    (then by id). Its start is the customer's first service start (NWS: a
    lead must come before it; NetSource: a lead after it is an existing
    customer), and its term (start + term_months) bounds NetSource's
    "original contract term".
-#}
with contracts as (
    select * from {{ ref('stg_billing__contracts') }}
),

ranked as (
    select
        contracts.*,
        row_number() over (
            partition by contracts.customer_id
            order by contracts.starts_on, contracts.contract_id
        ) as start_rank
    from contracts
),

final as (
    select
        ranked.customer_id,
        ranked.contract_id as original_contract_id,
        ranked.starts_on as first_service_starts_on,
        ranked.term_months as original_term_months,
        {{ add_months('ranked.starts_on', 'ranked.term_months') }}
            as post_term_starts_on,
        ranked.monthly_amount as original_monthly_amount,
        ranked.currency as original_currency
    from ranked
    where ranked.start_rank = 1
)

select * from final
