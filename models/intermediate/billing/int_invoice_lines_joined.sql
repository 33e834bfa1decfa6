{{ config(materialized="table") }}

{#-
    Every trusted invoice line with its document (customer, issue date,
    currency, type, when it was recorded) and its product (family, recurring
    flag): the fact that the commission and reseller rules start from.

    - `service_on`: the day the line's service starts (its issue day when the
      line has no service period, e.g. a one-off charge).
    - `service_months`: how many months the service period covers, counted
      from the start's anniversary day: whole months, then the remaining
      days as a fraction of the next month-long stretch (1-31 March = 1;
      10 March - 9 April = 1; a year = 12; 1-15 April = 15/30). Exact
      decimal; null without a service period.
    - `root_invoice_id` / `corrected_issued_on`: for a credit note, the
      invoice it ultimately corrects (followed up a chain of credit notes
      on credit notes) and that invoice's issue day, the day whose terms
      decide what the credit note takes back.
-#}
{#- Pointer-jumping steps covering the correction chains staging allows. -#}
{%- set chain = namespace(doublings=0) -%}
{%- for _ in range(16) -%}
    {%- if 2 ** chain.doublings < var('reference_chain_depth') | int -%}
        {%- set chain.doublings = chain.doublings + 1 -%}
    {%- endif -%}
{%- endfor -%}

with invoice_lines as (
    select * from {{ ref('stg_billing__invoice_lines') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

products as (
    select * from {{ ref('stg_billing__products') }}
),

{# Only documents in a correction chain: credit notes and what they correct. #}
corrections as (
    select invoices.*
    from invoices
    where
        invoices.corrects_invoice_id is not null
        or invoices.invoice_id in (
            select corrected_ids.corrects_invoice_id
            from invoices as corrected_ids
            where corrected_ids.corrects_invoice_id is not null
        )
),

{{ chain_root_ctes(
    'invoice_roots', 'corrections', 'invoice_id',
    'coalesce(corrections.corrects_invoice_id, corrections.invoice_id)',
    chain.doublings) }},

joined as (
    select
        invoice_lines.invoice_line_id,
        invoice_lines.invoice_id,
        invoices.customer_id,
        invoices.legal_entity,
        invoices.document_type,
        invoices.is_credit_note,
        invoices.corrects_invoice_id,
        case
            when invoices.corrects_invoice_id is not null
                then invoice_roots.pointer_id
        end as root_invoice_id,
        case
            when invoices.corrects_invoice_id is not null
                then corrected.issued_on
        end as corrected_issued_on,
        invoices.issued_on,
        invoices.recorded_at as invoice_recorded_at,
        invoices.currency as invoice_currency,
        invoice_lines.contract_id,
        invoice_lines.product_code,
        products.product_family,
        products.is_recurring as is_recurring_product,
        invoice_lines.charge_type,
        invoice_lines.service_period_starts_on,
        invoice_lines.service_period_ends_on,
        invoice_lines.quantity,
        invoice_lines.list_amount,
        invoice_lines.discount_amount,
        invoice_lines.promo_pct,
        invoice_lines.net_amount,
        invoice_lines.tax_amount,
        coalesce(
            invoice_lines.service_period_starts_on, invoices.issued_on
        ) as service_on,
        {{ add_days('invoice_lines.service_period_ends_on', 1) }}
            as service_stops_on
    from invoice_lines
    inner join invoices
        on invoice_lines.invoice_id = invoices.invoice_id
    left join invoice_roots
        on invoices.invoice_id = invoice_roots.invoice_id
    left join invoices as corrected
        on invoice_roots.pointer_id = corrected.invoice_id
    inner join products
        on invoice_lines.product_code = products.product_code
),

month_boundaries as (
    select
        joined.*,
        {{ dbt.datediff(
            'joined.service_period_starts_on', 'joined.service_stops_on',
            'month') }} as month_boundaries
    from joined
),

boundary_anniversaries as (
    select
        month_boundaries.*,
        {{ add_months(
            'month_boundaries.service_period_starts_on',
            'month_boundaries.month_boundaries') }} as boundary_anniversary_on
    from month_boundaries
),

whole_months as (
    select
        boundary_anniversaries.*,
        case
            when
                boundary_anniversaries.boundary_anniversary_on
                > boundary_anniversaries.service_stops_on
                then boundary_anniversaries.month_boundaries - 1
            else boundary_anniversaries.month_boundaries
        end as whole_months
    from boundary_anniversaries
),

anniversaries as (
    select
        whole_months.*,
        {{ add_months(
            'whole_months.service_period_starts_on',
            'whole_months.whole_months') }} as last_anniversary_on,
        {{ add_months(
            'whole_months.service_period_starts_on',
            'whole_months.whole_months + 1') }} as next_anniversary_on
    from whole_months
),

final as (
    select
        invoice_line_id,
        invoice_id,
        customer_id,
        legal_entity,
        document_type,
        is_credit_note,
        corrects_invoice_id,
        root_invoice_id,
        corrected_issued_on,
        issued_on,
        invoice_recorded_at,
        invoice_currency,
        contract_id,
        product_code,
        product_family,
        is_recurring_product,
        charge_type,
        service_period_starts_on,
        service_period_ends_on,
        service_on,
        quantity,
        list_amount,
        discount_amount,
        promo_pct,
        net_amount,
        tax_amount,
        cast(whole_months as {{ type_rate_wide() }})
        + {{ divide_exact(
            dbt.datediff('last_anniversary_on', 'service_stops_on', 'day'),
            dbt.datediff('last_anniversary_on', 'next_anniversary_on', 'day'))
        }} as service_months
    from anniversaries
)

select * from final
