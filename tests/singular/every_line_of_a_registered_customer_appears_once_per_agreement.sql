{#-
    programs.md, "Which lines appear": every invoice line of a customer for
    whom a partner registered a lead in a commission program appears in
    fct_commission_lines exactly once per that partner's agreement (its
    correction rows aside). A row for a line the export no longer holds may
    only be a final one: a published closed period keeps its rows. Returns
    (agreement, customer) pairs whose line counts differ, and such rows.
-#}
with leads as (
    select * from {{ ref('stg_partner_crm__leads') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

lines as (
    select * from {{ ref('int_invoice_lines_joined') }}
),

commission_lines as (
    select * from {{ ref('fct_commission_lines') }}
    where not is_correction
),

{# Rows of lines the export still holds; the others must be final. #}
current_rows as (
    select commission_lines.*
    from commission_lines
    inner join lines
        on commission_lines.invoice_line_id = lines.invoice_line_id
),

vanished_rows as (
    select commission_lines.*
    from commission_lines
    left join lines
        on commission_lines.invoice_line_id = lines.invoice_line_id
    where lines.invoice_line_id is null and not commission_lines.is_final
),

registered as (
    select distinct
        agreements.agreement_id,
        leads.customer_id
    from leads
    inner join agreements
        on
            leads.partner_id = agreements.partner_id
            and leads.program_code = agreements.program_code
    where agreements.rule_type in {{ commission_rule_types() }}
),

expected as (
    select
        registered.agreement_id,
        registered.customer_id,
        count(lines.invoice_line_id) as expected_lines
    from registered
    left join lines
        on registered.customer_id = lines.customer_id
    group by registered.agreement_id, registered.customer_id
),

actual as (
    select
        agreement_id,
        customer_id,
        count(*) as actual_lines,
        count(distinct invoice_line_id) as distinct_lines
    from current_rows
    group by agreement_id, customer_id
)

select
    expected.expected_lines,
    actual.actual_lines,
    actual.distinct_lines,
    coalesce(expected.agreement_id, actual.agreement_id) as agreement_id,
    coalesce(expected.customer_id, actual.customer_id) as customer_id
from expected
full outer join actual
    on
        expected.agreement_id = actual.agreement_id
        and expected.customer_id = actual.customer_id
where
    coalesce(expected.expected_lines, 0) <> coalesce(actual.actual_lines, 0)
    or actual.actual_lines <> actual.distinct_lines
union all
select
    null as expected_lines,
    1 as actual_lines,
    1 as distinct_lines,
    vanished_rows.agreement_id,
    vanished_rows.customer_id
from vanished_rows
