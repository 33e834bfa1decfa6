{#-
    A warning, not a failure: agreements whose commission_rate_override is
    above the program's max_commission_rate (NetSource: "up to 10 %"). Their
    lines are paid at the cap (fct_commission_lines.is_rate_capped); the
    agreement should be corrected in the CRM.
-#}
{{ config(severity='warn') }}

with lines as (
    select * from {{ ref('fct_commission_lines') }}
)

select
    agreement_id,
    program_code,
    max(requested_commission_rate) as requested_commission_rate,
    max(commission_rate) as capped_commission_rate,
    count(*) as capped_lines
from lines
where is_rate_capped
group by agreement_id, program_code
