{#-
    Exact numeric types, one per kind of number, so that every model agrees.
    Money is never a float. Wider types in arithmetic: DuckDB keeps the width
    of decimal products at 18 digits when both factors fit in 18, so money
    maths casts to `type_money_wide()` first.
-#}

{% macro type_money() %}
    {{ return(adapter.dispatch('type_money', 'partner_payouts')()) }}
{% endmacro %}
{% macro default__type_money() %}decimal(18, 4){% endmacro %}

{#- Money rounded to cents: payout amounts and carried balances. -#}
{% macro type_money_cents() %}
    {{ return(adapter.dispatch('type_money_cents', 'partner_payouts')()) }}
{% endmacro %}
{% macro default__type_money_cents() %}decimal(18, 2){% endmacro %}

{% macro type_money_wide() %}
    {{ return(adapter.dispatch('type_money_wide', 'partner_payouts')()) }}
{% endmacro %}
{% macro default__type_money_wide() %}decimal(38, 12){% endmacro %}

{% macro type_rate() %}
    {{ return(adapter.dispatch('type_rate', 'partner_payouts')()) }}
{% endmacro %}
{% macro default__type_rate() %}decimal(12, 8){% endmacro %}

{% macro type_fx_rate() %}
    {{ return(adapter.dispatch('type_fx_rate', 'partner_payouts')()) }}
{% endmacro %}
{% macro default__type_fx_rate() %}decimal(18, 8){% endmacro %}

{% macro type_quantity() %}
    {{ return(adapter.dispatch('type_quantity', 'partner_payouts')()) }}
{% endmacro %}
{% macro default__type_quantity() %}decimal(18, 4){% endmacro %}

{#- Exact results of division (fractions, converted amounts): 16 decimals. -#}
{% macro type_rate_wide() %}
    {{ return(adapter.dispatch('type_rate_wide', 'partner_payouts')()) }}
{% endmacro %}
{% macro default__type_rate_wide() %}decimal(38, 16){% endmacro %}

{#- Probabilities (estimates, 4 decimals): the tier outlook's drop risk. -#}
{% macro type_probability() %}
    {{ return(adapter.dispatch('type_probability', 'partner_payouts')()) }}
{% endmacro %}
{% macro default__type_probability() %}decimal(8, 4){% endmacro %}

{#-
    Estimates (the tier outlook's least-squares fit): a 64-bit float, never
    money. dbt's `type_float` is 32 bits on DuckDB, too coarse for a fit.
-#}
{% macro type_estimate() %}
    {{ return(adapter.dispatch('type_estimate', 'partner_payouts')()) }}
{% endmacro %}
{% macro default__type_estimate() %}double precision{% endmacro %}
{% macro spark__type_estimate() %}double{% endmacro %}
