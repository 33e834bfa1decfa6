{#-
    The commission basis (seed `commission_basis`): is a value of a
    dimension (`product_family`, `charge_type`) commissionable in a program
    on a date? The row for the exact value decides; otherwise the program's
    `*` row; otherwise it is not commissionable.

    `commission_basis_joins` emits the two left joins (aliases
    `<prefix>_exact`, `<prefix>_any`) on a CTE named `basis`;
    `commission_basis_included` the resulting boolean.
-#}
{% macro commission_basis_joins(prefix, program_expression, dimension, value_expression, date_expression) -%}
    left join basis as {{ prefix }}_exact
        on
            {{ program_expression }} = {{ prefix }}_exact.program_code
            and {{ prefix }}_exact.basis_dimension = '{{ dimension }}'
            and {{ value_expression }} = {{ prefix }}_exact.basis_value
            and {{ partner_payouts.in_force(prefix ~ '_exact', date_expression) }}
    left join basis as {{ prefix }}_any
        on
            {{ program_expression }} = {{ prefix }}_any.program_code
            and {{ prefix }}_any.basis_dimension = '{{ dimension }}'
            and {{ prefix }}_any.basis_value = '*'
            and {{ partner_payouts.in_force(prefix ~ '_any', date_expression) }}
{%- endmacro %}

{% macro commission_basis_included(prefix) -%}
    coalesce({{ prefix }}_exact.is_included, {{ prefix }}_any.is_included, false)
{%- endmacro %}

{#-
    The rule types that pay a commission on invoice lines of referred
    customers (programs.csv `rule_type`); `reseller_discount` gives a
    discount instead. One list for every model that needs it.
-#}
{% macro commission_rule_types() -%}
    ('revenue_share', 'first_year_commission')
{%- endmacro %}
