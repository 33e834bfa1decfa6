{#-
    Text-to-type parsing of raw values. Each parser returns null when the text
    is not a valid value of its type, never an error: the caller compares
    "text present" with "value null" to quarantine the row as unparsable.
-#}

{#- Trimmed text; empty text is null. -#}
{% macro clean_text(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}

{#- Enumerated codes (statuses, types, program codes): lower case. -#}
{% macro clean_code(expression) -%}
    lower({{ partner_payouts.clean_text(expression) }})
{%- endmacro %}

{#- ISO codes (currencies, countries): upper case. -#}
{% macro clean_iso_code(expression) -%}
    upper({{ partner_payouts.clean_text(expression) }})
{%- endmacro %}


{#-
    A cast that yields null instead of an error. dbt's own `safe_cast` falls
    back to a plain cast on DuckDB (dbt-duckdb does not implement it), so the
    DuckDB version is ours.
-#}
{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'partner_payouts')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}


{% macro parse_date(expression) -%}
    {{ return(adapter.dispatch('parse_date', 'partner_payouts')(expression)) }}
{%- endmacro %}

{% macro default__parse_date(expression) -%}
    {{ try_cast(expression, 'date') }}
{%- endmacro %}


{#- ISO-8601 timestamp, optional offset, as a UTC timestamp without zone. -#}
{% macro parse_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'partner_payouts')(expression)) }}
{%- endmacro %}

{% macro default__parse_timestamp(expression) -%}
    {{ try_cast(expression, dbt.type_timestamp()) }}
{%- endmacro %}

{#-
    DuckDB: a cast to TIMESTAMP ignores an offset, and a cast to TIMESTAMPTZ
    reads a string without offset in the session time zone. So: text with an
    explicit offset goes through TIMESTAMPTZ and is converted to UTC; text
    without one is read as UTC wall-clock time. Independent of the session.
-#}
{% macro duckdb__parse_timestamp(expression) -%}
    case
        when regexp_matches(
            {{ expression }},
            '[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'
        )
            then timezone('UTC', try_cast({{ expression }} as timestamptz))
        else try_cast({{ expression }} as timestamp)
    end
{%- endmacro %}


{% macro parse_decimal(expression, data_type) -%}
    {{ return(adapter.dispatch('parse_decimal', 'partner_payouts')(expression, data_type)) }}
{%- endmacro %}

{% macro default__parse_decimal(expression, data_type) -%}
    {{ try_cast(expression, data_type) }}
{%- endmacro %}


{% macro parse_integer(expression) -%}
    {{ return(adapter.dispatch('parse_integer', 'partner_payouts')(expression)) }}
{%- endmacro %}

{#- Whole numbers only: '12' parses, '12.5' and 'twelve' do not. -#}
{% macro default__parse_integer(expression) -%}
    case
        when {{ try_cast(expression, 'decimal(18, 4)') }}
            = {{ try_cast(expression, dbt.type_bigint()) }}
            then {{ try_cast(expression, dbt.type_int()) }}
    end
{%- endmacro %}


{#- Booleans are `true` / `false` (any case); anything else is unparsable. -#}
{% macro parse_boolean(expression) -%}
    case lower({{ expression }})
        when 'true' then true
        when 'false' then false
    end
{%- endmacro %}


{#-
    A raw column as two columns: `<name>_text` (the cleaned text, kept for the
    unparsable check) and `<name>` (the typed value). `name` defaults to the
    raw column's name. kind: date, timestamp, money, rate, fx_rate, quantity,
    integer, boolean.
-#}
{% macro parsed_column(column, kind, name=none) -%}
    {%- set name = name or column -%}
    {%- set text = clean_text(column) -%}
    {{ text }} as {{ name }}_text,
    {{ parse_value(text, kind) }} as {{ name }}
{%- endmacro %}


{% macro parse_value(expression, kind) -%}
    {%- if kind == 'date' -%}{{ parse_date(expression) }}
    {%- elif kind == 'timestamp' -%}{{ parse_timestamp(expression) }}
    {%- elif kind == 'money' -%}{{ parse_decimal(expression, type_money()) }}
    {%- elif kind == 'rate' -%}{{ parse_decimal(expression, type_rate()) }}
    {%- elif kind == 'fx_rate' -%}{{ parse_decimal(expression, type_fx_rate()) }}
    {%- elif kind == 'quantity' -%}{{ parse_decimal(expression, type_quantity()) }}
    {%- elif kind == 'integer' -%}{{ parse_integer(expression) }}
    {%- elif kind == 'boolean' -%}{{ parse_boolean(expression) }}
    {%- else -%}{{ exceptions.raise_compiler_error('parse_value: unknown kind ' ~ kind) }}
    {%- endif -%}
{%- endmacro %}


{#- Company domains: lower case, without a leading `www.`. -#}
{% macro clean_domain(column) -%}
    {%- set text = 'lower(' ~ clean_text(column) ~ ')' -%}
    case
        when {{ text }} like 'www.%' then substr({{ text }}, 5)
        else {{ text }}
    end
{%- endmacro %}
