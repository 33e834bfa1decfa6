{#-
    The exclusion order (programs.md's "first that applies") lives in one
    place: the seed `exclusion_reasons` (`precedence`). A model states, per
    reason, the condition under which it applies; these macros pick the
    applying reason with the lowest precedence, so the order is never
    written in SQL.
-#}

{#-
    One row, one column per reason in `reasons`: its precedence, read from
    `relation` (a CTE over the seed `exclusion_reasons`).
-#}
{% macro exclusion_precedences(reasons, relation='exclusion_reasons') -%}
    select
    {%- for reason in reasons %}
        max(case when {{ relation }}.exclusion_reason = '{{ reason }}'
            then {{ relation }}.precedence end) as {{ reason }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{#-
    The lowest precedence among the checks that apply. `checks`: a list of
    [precedence expression, condition], e.g.
    ['precedences.product_excluded', 'not lines.is_product_included'];
    null when none applies.
-#}
{% macro first_exclusion(checks) -%}
    least(
    {%- for precedence, condition in checks %}
        case when {{ condition }} then {{ precedence }} end
        {{- ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}
