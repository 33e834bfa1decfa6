{#-
    Exact money arithmetic. Amounts are decimals; nothing here goes through a
    float. Division is the one operation engines disagree on: DuckDB returns a
    DOUBLE for decimal / decimal, so its version divides scaled integers.
-#}

{#-
    numerator / denominator as a decimal with 16 decimal places (truncated
    toward zero beyond that). Each operand is first taken to 12 decimal
    places (money, rates and counts have fewer, so they pass unchanged);
    divide by whole numbers or by rates, not by a long fraction, to keep the
    result exact.
-#}
{% macro divide_exact(numerator, denominator) -%}
    {{ return(adapter.dispatch('divide_exact', 'partner_payouts')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__divide_exact(numerator, denominator) -%}
    cast(
        cast({{ numerator }} as {{ partner_payouts.type_rate_wide() }})
        / cast({{ denominator }} as {{ partner_payouts.type_rate_wide() }})
        as {{ partner_payouts.type_rate_wide() }}
    )
{%- endmacro %}

{% macro duckdb__divide_exact(numerator, denominator) -%}
    {#-
        Long division on 128-bit integers: both operands scaled by 10^12,
        the whole part as one integer division, the 16 decimals from the
        remainder. The numerator may reach 10^14, the denominator 10^10,
        without overflow.
    -#}
    {%- set scaled_numerator -%}
        cast(cast(cast({{ numerator }} as decimal(38, 12)) * 1000000000000
            as decimal(38, 0)) as hugeint)
    {%- endset -%}
    {%- set scaled_denominator -%}
        cast(cast(cast({{ denominator }} as decimal(38, 12)) * 1000000000000
            as decimal(38, 0)) as hugeint)
    {%- endset -%}
    (
        cast({{ scaled_numerator }} // {{ scaled_denominator }} as decimal(38, 16))
        + cast(
            ({{ scaled_numerator }} % {{ scaled_denominator }})
            * cast(10000000000000000 as hugeint)
            // {{ scaled_denominator }}
            as decimal(38, 0)) * 0.0000000000000001
    )
{%- endmacro %}

{#-
    PostgreSQL: numeric division rounds its last digit; `div` is the exact
    integer quotient (toward zero), so the result is truncated at 16 decimals
    exactly as on DuckDB, and both engines give the same digits.
-#}
{% macro postgres__divide_exact(numerator, denominator) -%}
    cast(
        div(
            cast({{ numerator }} as decimal(38, 12)) * 10000000000000000,
            cast({{ denominator }} as decimal(38, 12))
        ) * 0.0000000000000001
        as {{ partner_payouts.type_rate_wide() }}
    )
{%- endmacro %}

{#-
    Spark: no integer type beyond 64 bits, but `div` of decimals is the exact
    integer quotient (toward zero) and `%` the exact remainder. Long division
    of the operands scaled by 10^12: the whole part, then the 16 decimals in
    two steps of 8 digits, so that every quotient fits in 64 bits. The same
    digits as DuckDB and PostgreSQL.
-#}
{% macro spark__divide_exact(numerator, denominator) -%}
    {%- set n -%}
        cast(cast({{ numerator }} as decimal(38, 12)) * 1000000000000 as decimal(38, 0))
    {%- endset -%}
    {%- set d -%}
        cast(cast({{ denominator }} as decimal(38, 12)) * 1000000000000 as decimal(38, 0))
    {%- endset -%}
    {%- set r1 -%}
        cast(({{ n }} % {{ d }}) * 100000000 as decimal(38, 0))
    {%- endset -%}
    {%- set r2 -%}
        cast(({{ r1 }} % {{ d }}) * 100000000 as decimal(38, 0))
    {%- endset -%}
    {#- Each term is cast on its own: a sum keeps the widest scale of its terms. #}
    cast(
        cast({{ n }} div {{ d }} as decimal(38, 16))
        + cast(({{ r1 }} div {{ d }}) * 0.00000001 as decimal(38, 16))
        + cast(({{ r2 }} div {{ d }}) * 0.0000000000000001 as decimal(38, 16))
        as {{ partner_payouts.type_rate_wide() }}
    )
{%- endmacro %}

{#-
    Round money to cents, half away from zero: the one rounding of a payout
    row (programs.md: "round once per payout row").
-#}
{% macro round_money(expression) -%}
    {{ return(adapter.dispatch('round_money', 'partner_payouts')(expression)) }}
{%- endmacro %}

{% macro default__round_money(expression) -%}
    cast(round({{ expression }}, 2) as {{ partner_payouts.type_money_cents() }})
{%- endmacro %}

{#-
    An amount in `from_currency` converted to `to_currency` with two rates in
    units per EUR (fx_rates.units_per_eur; EUR = 1):
    amount × to_rate ÷ from_rate, exact to 16 decimals.
-#}
{% macro convert_currency(amount, from_rate, to_rate) -%}
    {{ partner_payouts.divide_exact(
        'cast(' ~ amount ~ ' as ' ~ partner_payouts.type_money_wide() ~ ') * ' ~ to_rate,
        from_rate) }}
{%- endmacro %}
