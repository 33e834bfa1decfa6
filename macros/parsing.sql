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
    The shapes the raw contract allows (ISO-8601 dates and timestamps,
    decimals with `.`), as regular expressions matched against the whole
    (trimmed) text. Engines' casts accept more than the contract does
    (`'epoch'`, `'infinity'`, `'1_000'` on DuckDB; `'yesterday'`, `'NaN'` on
    PostgreSQL), so a value is typed only when it has one of these shapes:
    the same text parses, or fails, on every engine.
-#}
{#- Years 1000-9999 (engines disagree on year 0 and beyond 9999). -#}
{% macro iso_date_pattern() -%}
    [1-9][0-9]{3}-[0-9]{1,2}-[0-9]{1,2}
{%- endmacro %}

{% macro iso_timestamp_pattern() -%}
    {{ partner_payouts.iso_date_pattern() }}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?)?
{%- endmacro %}

{#-
    With an explicit UTC offset (`Z`, `+02:00`, `-0500`, `+02`), written
    right after the time as ISO-8601 does (no space: engines disagree on
    `09:00 +02:00`).
-#}
{% macro iso_offset_pattern() -%}
    {{ partner_payouts.iso_date_pattern() }}[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)
{%- endmacro %}

{#- Plain decimals with `.`; an exponent is allowed (typed exports write small numbers so). -#}
{% macro decimal_pattern() -%}
    [+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?
{%- endmacro %}


{#- True when the whole text matches the regular expression `pattern`. -#}
{% macro matches_pattern(expression, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'partner_payouts')(expression, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(expression, pattern) -%}
    regexp_like({{ expression }}, '^({{ pattern }})$')
{%- endmacro %}

{% macro duckdb__matches_pattern(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__matches_pattern(expression, pattern) -%}
    ({{ expression }} ~ '^({{ pattern }})$')
{%- endmacro %}

{% macro spark__matches_pattern(expression, pattern) -%}
    ({{ expression }} rlike '^({{ pattern }})$')
{%- endmacro %}


{#-
    A cast that yields null instead of an error. dbt's own `safe_cast` falls
    back to a plain cast on DuckDB (dbt-duckdb does not implement it) and on
    PostgreSQL (which has no safe cast before version 16), so both versions
    are ours. Callers check the text's shape first (`parse_*`); the safe cast
    then only catches what a shape cannot (30 February, an hour of 25, a
    number too wide for its type).
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

{#- Spark: `try_cast` (dbt-spark runs with ANSI mode off, where a plain cast is null too). -#}
{% macro spark__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{#-
    PostgreSQL: the helper functions that `create_engine_helpers` makes at
    the start of every run (a cast inside an exception block).
-#}
{% macro postgres__try_cast(expression, data_type) -%}
    {%- set schema = adapter.quote(var('helper_schema', 'partner_payouts_helpers')) -%}
    {%- set type_name = data_type | lower | replace(' ', '') -%}
    {%- if type_name.startswith('decimal(') or type_name.startswith('numeric(') -%}
        {%- set precision, scale = type_name.split('(')[1].rstrip(')').split(',') -%}
        cast({{ schema }}.try_numeric(
            {{ expression }}, {{ precision }}, {{ scale }}) as {{ data_type }})
    {%- elif type_name == 'date' -%}
        {{ schema }}.try_date({{ expression }})
    {%- elif type_name in ('timestamp', 'timestampwithouttimezone') -%}
        {{ schema }}.try_timestamp({{ expression }})
    {%- elif type_name in ('bigint', 'integer', 'int') -%}
        cast({{ schema }}.try_numeric({{ expression }}, 18, 0) as {{ data_type }})
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            'postgres__try_cast: no safe cast to ' ~ data_type) }}
    {%- endif -%}
{%- endmacro %}


{#-
    Helper objects an engine needs before any model runs (an `on-run-start`
    hook). Only PostgreSQL needs any: the safe casts of `postgres__try_cast`.
-#}
{% macro create_engine_helpers() %}
    {{ return(adapter.dispatch('create_engine_helpers', 'partner_payouts')()) }}
{% endmacro %}

{% macro default__create_engine_helpers() %}
    {{ return('') }}
{% endmacro %}

{% macro postgres__create_engine_helpers() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set schema = adapter.quote(var('helper_schema', 'partner_payouts_helpers')) -%}
    {%- set functions = [
        ('try_date(value text)', 'date', 'return cast(value as date);'),
        ('try_timestamp(value text)', 'timestamp',
            'return cast(value as timestamp);'),
        ('try_timestamp_utc(value text)', 'timestamp',
            "return cast(value as timestamptz) at time zone 'UTC';"),
        ('try_numeric(value text, digits integer, places integer)', 'numeric',
            'declare n numeric := round(cast(value as numeric), places);'
            ~ ' begin if abs(n) >= power(10::numeric, digits - places)'
            ~ ' then return null; end if; return n;'),
    ] -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- for signature, returns, body in functions -%}
        {%- set body = body if body.startswith('declare') else 'begin ' ~ body -%}
        {%- do run_query(
            'create or replace function ' ~ schema ~ '.' ~ signature
            ~ ' returns ' ~ returns ~ ' language plpgsql immutable as $body$ '
            ~ body ~ ' exception when others then return null; end $body$') -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#-
    Spark: decimal arithmetic must keep every digit (a product of money and
    a rate otherwise loses digits beyond the 6th decimal), and timestamps
    without an offset are UTC. Both are session settings, which the profile
    sets (`server_side_parameters`) and this checks before anything runs.
-#}
{% macro spark__create_engine_helpers() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set required = {
        'spark.sql.decimalOperations.allowPrecisionLoss': 'false',
        'spark.sql.session.timeZone': 'UTC',
    } -%}
    {%- for key, value in required.items() -%}
        {%- set found = run_query('set ' ~ key).rows[0][1] | string -%}
        {%- if found | lower != value | lower -%}
            {{ exceptions.raise_compiler_error(
                "Spark setting " ~ key ~ " is " ~ found ~ ", must be " ~ value
                ~ ": add it to server_side_parameters of the spark target "
                ~ "(profiles/profiles.yml shows how).") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#- ISO-8601 date (`2026-03-31`); anything else is null. -#}
{% macro parse_date(expression) -%}
    case
        when {{ partner_payouts.matches_pattern(
            expression, partner_payouts.iso_date_pattern()) }}
            then {{ partner_payouts.try_cast(expression, 'date') }}
    end
{%- endmacro %}


{#-
    ISO-8601 timestamp, optional offset, as a UTC timestamp without zone:
    text with an explicit offset is converted to UTC, text without one is
    read as UTC wall-clock time, a bare date is midnight. Independent of the
    session time zone.
-#}
{% macro parse_timestamp(expression) -%}
    case
        when {{ partner_payouts.matches_pattern(
            expression, partner_payouts.iso_offset_pattern()) }}
            then {{ partner_payouts.timestamp_with_offset_as_utc(expression) }}
        when {{ partner_payouts.matches_pattern(
            expression, partner_payouts.iso_timestamp_pattern()) }}
            then {{ partner_payouts.try_cast(expression, dbt.type_timestamp()) }}
    end
{%- endmacro %}

{#- Text with an explicit UTC offset as the UTC timestamp without zone. -#}
{% macro timestamp_with_offset_as_utc(expression) -%}
    {{ return(adapter.dispatch(
        'timestamp_with_offset_as_utc', 'partner_payouts')(expression)) }}
{%- endmacro %}

{#-
    DuckDB: a cast to TIMESTAMP ignores an offset, and a cast to TIMESTAMPTZ
    reads a string without offset in the session time zone; hence the
    explicit conversion to UTC.
-#}
{% macro duckdb__timestamp_with_offset_as_utc(expression) -%}
    timezone('UTC', try_cast({{ expression }} as timestamptz))
{%- endmacro %}

{% macro postgres__timestamp_with_offset_as_utc(expression) -%}
    {{ adapter.quote(var('helper_schema', 'partner_payouts_helpers')) }}.try_timestamp_utc(
        {{ expression }})
{%- endmacro %}

{#-
    Spark: a cast to TIMESTAMP applies the offset, and the session time zone
    is UTC (profiles/profiles.yml; checked by `spark__create_engine_helpers`);
    its parser knows `Z` but not `z`.
-#}
{% macro spark__timestamp_with_offset_as_utc(expression) -%}
    try_cast(upper({{ expression }}) as timestamp)
{%- endmacro %}

{% macro default__timestamp_with_offset_as_utc(expression) -%}
    {{ exceptions.raise_compiler_error(
        'timestamp_with_offset_as_utc is not implemented for ' ~ target.type) }}
{%- endmacro %}


{#- A decimal with `.` (exponent allowed) of the given type; anything else is null. -#}
{% macro parse_decimal(expression, data_type) -%}
    case
        when {{ partner_payouts.matches_pattern(
            expression, partner_payouts.decimal_pattern()) }}
            then {{ partner_payouts.try_cast(expression, data_type) }}
    end
{%- endmacro %}


{#-
    Whole numbers only (up to 9 digits): '12' and '12.0' parse, '12.5' and
    'twelve' do not.
-#}
{% macro parse_integer(expression) -%}
    case
        when {{ partner_payouts.matches_pattern(
            expression, '[+-]?[0-9]{1,9}([.]0*)?') }}
            then cast(
                {{ partner_payouts.try_cast(expression, 'decimal(18, 4)') }}
                as {{ dbt.type_int() }})
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
