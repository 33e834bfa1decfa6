{#-
    Every quarantined raw row, from every raw table: which file, which key,
    why, and the original values; and every malformed CSV line, with its
    line number. Rows are quarantined in the staging base models
    (models/staging/*/base/), lines by the raw-export reader
    (stg_export__malformed_lines); the reasons are the seed
    `rejection_reasons`.
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

with export_files as (
    select * from {{ source('export', 'export_files') }}
),

malformed_lines as (
    select * from {{ ref('stg_export__malformed_lines') }}
),

rejections as (
    {% for table_name, model_name in quarantines -%}
        select
            '{{ table_name }}' as source_table,
            raw_row_id,
            record_key,
            rejection_reason,
            rejected_column,
            raw_record,
            cast(null as {{ dbt.type_bigint() }}) as source_line
        from {{ ref(model_name) }}
        where rejection_reason is not null
        union all
    {% endfor -%}
    select
        malformed_lines.source_table,
        malformed_lines.malformed_line_id as raw_row_id,
        cast(null as {{ dbt.type_string() }}) as record_key,
        malformed_lines.reason as rejection_reason,
        cast(null as {{ dbt.type_string() }}) as rejected_column,
        {{ raw_record(['line_number', 'line_text'], 'malformed_lines') }}
            as raw_record,
        malformed_lines.line_number as source_line
    from malformed_lines
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "rejections.source_table", "'#'", "rejections.raw_row_id"])) }}
            as rejection_id,
        rejections.source_table,
        rejections.record_key,
        rejections.rejection_reason as reason,
        rejections.rejected_column,
        rejections.raw_record,
        export_files.source_file,
        rejections.source_line
    from rejections
    left join export_files
        on rejections.source_table = export_files.source_table
)

select * from final
