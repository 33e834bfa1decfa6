{#-
    Malformed CSV lines of the raw export (see the source's description),
    one row each, ready for the quarantine. A line of a table that holds
    personal data (a column with `meta.contains_pii`) cannot be split into
    its values, so its whole text is redacted: personal data never leaves
    staging.
-#}
{%- set pii_tables = [] -%}
{%- if execute -%}
    {%- for t in raw_contract_tables() if t.pii -%}
        {%- do pii_tables.append("'" ~ t.table ~ "'") -%}
    {%- endfor -%}
{%- endif -%}
{%- set holds_personal_data = 'false' -%}
{%- if pii_tables -%}
    {%- set holds_personal_data =
        'source_table in (' ~ pii_tables | join(', ') ~ ')' -%}
{%- endif -%}

with malformed_lines as (
    select * from {{ source('export', 'malformed_lines') }}
),

final as (
    select
        {{ dbt.concat([
            'source_table', "'|line '",
            'cast(line_number as ' ~ dbt.type_string() ~ ')']) }}
            as malformed_line_id,
        source_table,
        source_file,
        line_number,
        reason,
        case
            when not ({{ holds_personal_data }}) then line_text
            when line_text is not null then '<redacted>'
        end as line_text
    from malformed_lines
)

select * from final
