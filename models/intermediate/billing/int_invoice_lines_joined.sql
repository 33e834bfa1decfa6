{{ config(materialized="table") }}

{#-
    Every trusted invoice line with its document (customer, issue date,
    currency, type, when it was recorded) and its product (family, recurring
    flag): the fact that the commission and reseller rules start from.

    - `service_on`: the day the line's service starts (its issue day when the
      line has no service period, e.g. a one-off charge).
    - `service_months`: how many months the service period covers, counted
      on the anniversary days of its contract's start (of its own start
      without a contract): whole months, then the remaining days as a
      fraction of the month-long stretch they fall in (1-31 March = 1;
      10 March - 9 April = 1; a year = 12; 1-15 April = 15/30; 28 February
      - 28 March of a contract started on the 29th = 1). Exact decimal;
      null without a service period.
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

contracts as (
    select * from {{ ref('stg_billing__contracts') }}
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

{#
    Each document with the root of its correction chain, looked up among the
    chains (every root is in `corrections`) before the lines meet the
    documents: joined to the ten million lines instead, DuckDB built its
    hash tables on the lines (DECISIONLOG D79).
#}
documents as (
    select
        invoices.*,
        case
            when invoices.corrects_invoice_id is not null
                then invoice_roots.pointer_id
        end as root_invoice_id,
        case
            when invoices.corrects_invoice_id is not null
                then corrected.issued_on
        end as corrected_issued_on
    from invoices
    left join invoice_roots
        on invoices.invoice_id = invoice_roots.invoice_id
    left join corrections as corrected
        on invoice_roots.pointer_id = corrected.invoice_id
),

joined as (
    select
        invoice_lines.invoice_line_id,
        invoice_lines.invoice_id,
        documents.customer_id,
        documents.legal_entity,
        documents.document_type,
        documents.is_credit_note,
        documents.corrects_invoice_id,
        documents.root_invoice_id,
        documents.corrected_issued_on,
        documents.issued_on,
        documents.recorded_at as invoice_recorded_at,
        documents.currency as invoice_currency,
        invoice_lines.contract_id,
        contracts.order_type as contract_order_type,
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
            invoice_lines.service_period_starts_on, documents.issued_on
        ) as service_on,
        {{ add_days('invoice_lines.service_period_ends_on', 1) }}
            as service_stops_on,
        -- Months count from the billing anchor (see month_boundaries).
        case
            when contracts.starts_on <= invoice_lines.service_period_starts_on
                then contracts.starts_on
            else invoice_lines.service_period_starts_on
        end as month_anchor_on
    from invoice_lines
    inner join documents
        on invoice_lines.invoice_id = documents.invoice_id
    inner join products
        on invoice_lines.product_code = products.product_code
    left join contracts
        on invoice_lines.contract_id = contracts.contract_id
),

{#
    Months are counted from the billing anchor: the start day of the line's
    contract (the vendor bills on the contract's anniversary days), or the
    line's own start without a contract (or when the contract starts later).
    A line that starts on a clamped anniversary (28 February for a contract
    of the 29th-31st) then covers exactly one month to its next one.
    months(day) = whole months from the anchor to the day + the rest as a
    fraction of the anchor month it falls in; service_months =
    months(stop) - months(start).
#}
month_boundaries as (
    select
        joined.*,
        {{ dbt.datediff(
            'joined.month_anchor_on', 'joined.service_period_starts_on',
            'month') }} as start_boundaries,
        {{ dbt.datediff(
            'joined.month_anchor_on', 'joined.service_stops_on',
            'month') }} as stop_boundaries
    from joined
),

boundary_anniversaries as (
    select
        month_boundaries.*,
        {{ add_months(
            'month_boundaries.month_anchor_on',
            'month_boundaries.start_boundaries') }} as start_boundary_on,
        {{ add_months(
            'month_boundaries.month_anchor_on',
            'month_boundaries.stop_boundaries') }} as stop_boundary_on
    from month_boundaries
),

whole_months as (
    select
        boundary_anniversaries.*,
        case
            when
                boundary_anniversaries.start_boundary_on
                > boundary_anniversaries.service_period_starts_on
                then boundary_anniversaries.start_boundaries - 1
            else boundary_anniversaries.start_boundaries
        end as start_whole_months,
        case
            when
                boundary_anniversaries.stop_boundary_on
                > boundary_anniversaries.service_stops_on
                then boundary_anniversaries.stop_boundaries - 1
            else boundary_anniversaries.stop_boundaries
        end as stop_whole_months
    from boundary_anniversaries
),

anniversaries as (
    select
        whole_months.*,
        {{ add_months(
            'whole_months.month_anchor_on',
            'whole_months.start_whole_months') }} as start_last_anniversary_on,
        {{ add_months(
            'whole_months.month_anchor_on',
            'whole_months.start_whole_months + 1') }}
            as start_next_anniversary_on,
        {{ add_months(
            'whole_months.month_anchor_on',
            'whole_months.stop_whole_months') }} as stop_last_anniversary_on,
        {{ add_months(
            'whole_months.month_anchor_on',
            'whole_months.stop_whole_months + 1') }}
            as stop_next_anniversary_on
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
        contract_order_type,
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
        cast(
            cast(
                stop_whole_months - start_whole_months
                as {{ type_rate_wide() }}
            )
            + {{ divide_exact(
                dbt.datediff(
                    'stop_last_anniversary_on', 'service_stops_on', 'day'),
                dbt.datediff(
                    'stop_last_anniversary_on', 'stop_next_anniversary_on',
                    'day'))
            }}
            - {{ divide_exact(
                dbt.datediff(
                    'start_last_anniversary_on', 'service_period_starts_on',
                    'day'),
                dbt.datediff(
                    'start_last_anniversary_on', 'start_next_anniversary_on',
                    'day'))
            }} as {{ type_rate_wide() }}
        ) as service_months
    from anniversaries
)

select * from final
