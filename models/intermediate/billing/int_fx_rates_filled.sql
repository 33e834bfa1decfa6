{{ config(materialized="table") }}

{#-
    One exchange rate per currency and calendar day, so that every conversion
    is an equality join: the latest trusted rate on or before the day
    (programs.md: "latest rate on or before it"). Days run from a currency's
    first rate to var `fx_days_after_as_of` (366) days after the as-of date
    (periods that end after the export carry the latest rate forward). The
    base currency (var `fx_base_currency`, EUR) is 1 on every day.
-#}
with fx_rates as (
    select * from {{ ref('stg_billing__fx_rates') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_derived') }}
),

bounds as (
    select
        min(fx_rates.rate_on) as first_on,
        greatest(
            max(fx_rates.rate_on),
            max({{ add_days(
                'as_of.as_of_on', var('fx_days_after_as_of')) }})
        ) as last_on
    from fx_rates
    cross join as_of
),

spanned as (
    select
        bounds.first_on,
        {{ dbt.datediff('bounds.first_on', 'bounds.last_on', 'day') }}
            as days_spanned
    from bounds
),

spine as (
    {{ integer_spine(5) }}
),

days as (
    select {{ add_days('spanned.first_on', 'spine.n') }} as rate_on
    from spanned
    inner join spine
        on spanned.days_spanned >= spine.n
),

currencies as (
    select
        fx_rates.currency,
        min(fx_rates.rate_on) as first_rate_on
    from fx_rates
    where fx_rates.currency <> '{{ var("fx_base_currency") }}'
    group by fx_rates.currency
),

currency_days as (
    select
        currencies.currency,
        days.rate_on,
        fx_rates.units_per_eur as quoted_units_per_eur
    from currencies
    inner join days
        on currencies.first_rate_on <= days.rate_on
    left join fx_rates
        on
            currencies.currency = fx_rates.currency
            and days.rate_on = fx_rates.rate_on
),

grouped as (
    select
        currency_days.*,
        count(currency_days.quoted_units_per_eur) over (
            partition by currency_days.currency
            order by currency_days.rate_on
            rows between unbounded preceding and current row
        ) as quote_group
    from currency_days
),

filled as (
    select
        grouped.currency,
        grouped.rate_on,
        max(grouped.quoted_units_per_eur) over (
            partition by grouped.currency, grouped.quote_group
        ) as units_per_eur,
        grouped.quoted_units_per_eur is null as is_carried_forward
    from grouped
),

base_currency as (
    select
        '{{ var("fx_base_currency") }}' as currency,
        days.rate_on,
        cast(1 as {{ type_fx_rate() }}) as units_per_eur,
        false as is_carried_forward
    from days
),

all_currencies as (
    select
        filled.currency,
        filled.rate_on,
        cast(filled.units_per_eur as {{ type_fx_rate() }}) as units_per_eur,
        filled.is_carried_forward
    from filled
    union all
    select
        base_currency.currency,
        base_currency.rate_on,
        base_currency.units_per_eur,
        base_currency.is_carried_forward
    from base_currency
),

final as (
    select
        currency,
        rate_on,
        units_per_eur,
        is_carried_forward,
        {{ dbt.concat([
            'currency', "'|'",
            'cast(rate_on as ' ~ dbt.type_string() ~ ')']) }} as fx_day_id
    from all_currencies
)

select * from final
