{#-
    The build's as-of date: var `as_of_date` when given, otherwise the day of
    the latest document or payment the billing system recorded (the day the
    export was taken, as far as the data can tell). One row.
-#}
with invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

payments as (
    select * from {{ ref('stg_billing__payments') }}
),

recorded as (
    select max(invoices.recorded_at) as recorded_at
    from invoices
    union all
    select max(payments.recorded_at) as recorded_at
    from payments
),

final as (
    select
        {% if var('as_of_date', none) -%}
            cast('{{ var("as_of_date") }}' as date)
        {%- else -%}
            {{ timestamp_date('max(recorded.recorded_at)') }}
        {%- endif %} as as_of_on
    from recorded
)

select * from final
