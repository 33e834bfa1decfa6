{#-
    Every quarantined raw row, from every raw table: which table, which key,
    why, and the original values. Rows are quarantined in the staging base
    models (models/staging/*/base/); see DECISIONLOG.md for the reasons.
-#}
{%- set quarantines = [
    ('partners', 'base_partner_crm__partners'),
    ('partner_agreements', 'base_partner_crm__partner_agreements'),
    ('customers', 'base_billing__customers'),
    ('leads', 'base_partner_crm__leads'),
    ('lead_contacts', 'base_partner_crm__lead_contacts'),
    ('products', 'base_billing__products'),
    ('contracts', 'base_billing__contracts'),
    ('invoices', 'base_billing__invoices'),
    ('invoice_lines', 'base_billing__invoice_lines'),
    ('payments', 'base_billing__payments'),
    ('fx_rates', 'base_billing__fx_rates'),
    ('tier_grace_periods', 'base_partner_crm__tier_grace_periods'),
    ('payout_runs', 'base_partner_crm__payout_runs'),
] -%}

with rejections as (
    {% for table_name, model_name in quarantines -%}
        select
            '{{ table_name }}' as source_table,
            raw_row_id,
            record_key,
            rejection_reason,
            rejected_column,
            raw_record
        from {{ ref(model_name) }}
        where rejection_reason is not null
        {% if not loop.last -%}
            union all
        {% endif -%}
    {% endfor %}
),

final as (
    select
        {{ dbt.hash(dbt.concat(["source_table", "'#'", "raw_row_id"])) }}
            as rejection_id,
        source_table,
        record_key,
        rejection_reason as reason,
        rejected_column,
        raw_record
    from rejections
)

select * from final
