{#-
    Fails for every row where the boolean `expression` is not true (null
    counts as false). On a column, `column_name` is available but unused:
    the expression names the columns it checks.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
