{#-
    Every non-null value of the column is a code of `code_set` in the
    code_values seed (compared as text). Returns the offending values.
-#}
{% test accepted_codes(model, column_name, code_set) %}

with code_values as (
    select code_value from {{ ref('code_values') }}
    where code_set = '{{ code_set }}'
)

select model_rows.{{ column_name }} as unexpected_code
from {{ model }} as model_rows
left join code_values
    on cast(model_rows.{{ column_name }} as {{ dbt.type_string() }})
    = code_values.code_value
where
    model_rows.{{ column_name }} is not null
    and code_values.code_value is null

{% endtest %}
