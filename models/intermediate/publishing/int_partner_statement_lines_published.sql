{{ config(materialized="table") }}

{#-
    The lines of the statements readers were shown for final settlement
    periods (int_partner_statements_published), exactly as published.
-#}
with published as (
    {{ published_rows('fct_partner_statement_lines') }}
),

final_statements as (
    select * from {{ ref('int_partner_statements_published') }}
),

final as (
    select published.*
    from published
    inner join final_statements
        on published.statement_id = final_statements.statement_id
)

select * from final
