{{ config(materialized="table") }}

{#-
    The statements readers were shown for final settlement periods (those of
    int_partner_payouts_published), exactly as published: their documents
    were sent, so numbers, names and amounts never change.
-#}
with published as (
    {{ published_rows('rpt_partner_statements') }}
),

final_payouts as (
    select * from {{ ref('int_partner_payouts_published') }}
),

final as (
    select published.*
    from published
    inner join final_payouts
        on published.statement_id = final_payouts.payout_id
)

select * from final
