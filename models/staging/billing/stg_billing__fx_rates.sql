with fx_rates as (
    select * from {{ ref('base_billing__fx_rates') }}
    where rejection_reason is null
),

final as (
    select
        {{ text_key(['currency', 'rate_on']) }} as fx_rate_id,
        rate_on,
        currency,
        units_per_eur
    from fx_rates
)

select * from final
