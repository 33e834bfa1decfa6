{#-
    Date helpers on top of dbt's cross-database macros. dbt's `date_trunc`,
    `dateadd` and `last_day` return timestamps on some engines; these return
    dates, so that models compare dates with dates everywhere.
-#}

{#- First day of the month of a date. -#}
{% macro month_start(date_expression) -%}
    cast({{ dbt.date_trunc('month', date_expression) }} as date)
{%- endmacro %}

{#- Last day of the month of a date. -#}
{% macro month_end(date_expression) -%}
    cast({{ dbt.last_day(date_expression, 'month') }} as date)
{%- endmacro %}

{#- A date plus a number of months (an expression; the day is clamped to the month's end). -#}
{% macro add_months(date_expression, months_expression) -%}
    cast({{ dbt.dateadd('month', months_expression, date_expression) }} as date)
{%- endmacro %}

{#- A date plus a number of days. -#}
{% macro add_days(date_expression, days_expression) -%}
    cast({{ dbt.dateadd('day', days_expression, date_expression) }} as date)
{%- endmacro %}

{#- Midnight UTC of a date, as a timestamp (to compare a date with a timestamp). -#}
{% macro date_as_timestamp(date_expression) -%}
    cast({{ date_expression }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The UTC calendar date of a timestamp. -#}
{% macro timestamp_date(timestamp_expression) -%}
    cast({{ timestamp_expression }} as date)
{%- endmacro %}

{#-
    First day of the settlement period that contains a date, for periods of
    `months_expression` calendar months aligned on 1 January (1 = month,
    3 = quarter, 6 = half-year, 12 = year).
-#}
{% macro settlement_period_start(date_expression, months_expression) -%}
    {{ partner_payouts.add_months(
        partner_payouts.month_start(date_expression),
        '-1 * mod(cast(extract(month from ' ~ date_expression ~ ') as '
            ~ dbt.type_int() ~ ') - 1, ' ~ months_expression ~ ')') }}
{%- endmacro %}

{#- The integers 0 .. 10^digits - 1 as column `n` (a portable number spine). -#}
{% macro integer_spine(digits=4) -%}
    {%- set parts = [] -%}
    {%- for i in range(digits) -%}
        {%- do parts.append('d' ~ i ~ '.digit * ' ~ (10 ** i)) -%}
    {%- endfor -%}
    with digits as (
        {%- for d in range(10) %}
        select {{ d }} as digit{{ ' union all' if not loop.last }}
        {%- endfor %}
    )
    select {{ parts | join(' + ') }} as n
    from digits as d0
    {%- for i in range(1, digits) %}
    cross join digits as d{{ i }}
    {%- endfor %}
{%- endmacro %}

{#-
    An effective-dated seed row (`valid_from` inclusive, `valid_to`
    exclusive, null = open-ended) is in force on a date.
-#}
{% macro in_force(alias, date_expression) -%}
    {{ alias }}.valid_from <= {{ date_expression }}
    and (
        {{ alias }}.valid_to is null
        or {{ date_expression }} < {{ alias }}.valid_to
    )
{%- endmacro %}

{#-
    A common multiple of every month length (28, 29, 30, 31): 377,580. A
    month's share of a period (days covered ÷ days in the month) is a whole
    number of 1/377,580ths, so spreading amounts over months divides by an
    integer and stays exact. Arithmetic, not a business number.
-#}
{% macro days_in_month_multiple() -%}
    377580
{%- endmacro %}
