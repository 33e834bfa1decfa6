{#-
    Write-audit-publish (README, "Publishing"). dbt builds and tests every
    public mart in the audit schema (var `audit_schema`, `marts_audit`),
    which readers do not use; the `on-run-end` hook `publish_marts` then
    copies every public mart into the published schema (var
    `published_schema`, `marts`) in one transaction, only when the run was a
    `dbt build` of every public mart and no node failed. Otherwise nothing
    is published, and the hook says why: the published marts stay exactly
    as the last good build left them.

    The same transaction records the publish in `publishing.publish_log` and
    the settlement periods it publishes as closed in
    `publishing.closed_periods`: their rows are final from then on (see the
    doc block `rule_closed_periods`).
-#}

{#- The public marts: the enabled models under models/marts/. -#}
{% macro public_marts() %}
    {%- set marts = [] -%}
    {%- for node in graph.nodes.values()
            | selectattr('resource_type', 'equalto', 'model')
            | selectattr('package_name', 'equalto', project_name)
            | sort(attribute='name') -%}
        {%- if node.original_file_path.startswith('models/marts/') -%}
            {%- do marts.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(marts) }}
{% endmacro %}


{#- The relation a model of the project was built into. -#}
{% macro built_relation(name) %}
    {%- for node in graph.nodes.values()
            | selectattr('resource_type', 'equalto', 'model')
            | selectattr('name', 'equalto', name) -%}
        {{ return(api.Relation.create(
            database=node.database, schema=node.schema,
            identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('No model named ' ~ name) }}
{% endmacro %}


{% macro publish_marts(results) %}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set marts = partner_payouts.public_marts() -%}
    {%- set failed = [] -%}
    {%- set skipped = [] -%}
    {%- set built = [] -%}
    {%- for result in results -%}
        {%- set status = result.status | string | lower -%}
        {%- if status == 'skipped' -%}
            {%- do skipped.append(result.node.name) -%}
        {%- elif status not in ('success', 'pass', 'warn', 'no-op') -%}
            {%- do failed.append(result.node.name ~ ' (' ~ status ~ ')') -%}
        {%- elif result.node.resource_type == 'model' -%}
            {%- do built.append(result.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set missing = marts | rejectattr('unique_id', 'in', built)
        | map(attribute='name') | list -%}
    {%- set published = var('published_schema', 'marts') -%}
    {%- set why = [] -%}
    {%- if failed or skipped -%}
        {%- do why.append(failed | length ~ ' node(s) failed ('
            ~ failed[:10] | join(', ') ~ (', ...' if failed | length > 10 else '')
            ~ ') and ' ~ skipped | length ~ ' were skipped after them') -%}
    {%- elif flags.WHICH != 'build' -%}
        {%- do why.append('`dbt ' ~ flags.WHICH ~ '` runs no tests; '
            ~ '`dbt build` builds, tests and publishes') -%}
    {%- elif missing -%}
        {%- do why.append('this run did not build every public mart (not built: '
            ~ missing | join(', ') ~ '); publish with a `dbt build` of the '
            ~ 'whole project') -%}
    {%- endif -%}
    {%- if why -%}
        {{ log('NOTHING PUBLISHED: ' ~ why[0] ~ '. The marts in schema `'
            ~ published ~ '` are unchanged (' ~ partner_payouts.last_publish()
            ~ ').', info=true) }}
        {{ return('') }}
    {%- endif -%}
    {%- do adapter.dispatch('publish_relations', 'partner_payouts')(
        partner_payouts.publish_statements(marts)) -%}
    {{ log('PUBLISHED: ' ~ marts | length ~ ' public marts copied from `'
        ~ var('audit_schema', 'marts_audit') ~ '` to `' ~ published
        ~ '` in one transaction (invocation ' ~ invocation_id ~ ').', info=true) }}
    {{ return('') }}
{% endmacro %}


{#- When the published marts were last published, for the log. -#}
{% macro last_publish() %}
    {%- set log_relation = adapter.get_relation(
        database=target.database, schema='publishing', identifier='publish_log') -%}
    {%- if log_relation is none -%}
        {{ return('nothing has been published yet') }}
    {%- endif -%}
    {%- set last = run_query(
        'select max(published_at) from ' ~ log_relation).columns[0].values()[0] -%}
    {{ return('last published ' ~ last ~ ' UTC') }}
{% endmacro %}


{#-
    The statements of one publish: every public mart rebuilt in the
    published schema from its audited copy (with its contract's column types
    and not-null constraints, and its descriptions as comments), the publish
    log, and the newly closed settlement periods.
-#}
{% macro publish_statements(marts) %}
    {%- set published = adapter.quote(var('published_schema', 'marts')) -%}
    {%- set statements = [
        'create schema if not exists ' ~ published,
        'create schema if not exists publishing',
        'create table if not exists publishing.publish_log ('
            ~ 'invocation_id ' ~ dbt.type_string() ~ ', published_at '
            ~ dbt.type_timestamp() ~ ', mart_count integer)'
            ~ partner_payouts.table_format(),
        'create table if not exists publishing.closed_periods ('
            ~ 'program_code ' ~ dbt.type_string() ~ ', period_start date, '
            ~ 'period_end date, closed_at ' ~ dbt.type_timestamp()
            ~ ', published_at ' ~ dbt.type_timestamp() ~ ', invocation_id '
            ~ dbt.type_string() ~ ')' ~ partner_payouts.table_format(),
    ] -%}
    {%- set now = "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S')
        ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- for node in marts -%}
        {%- set source = api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- set target_relation = api.Relation.create(
            database=node.database, schema=var('published_schema', 'marts'),
            identifier=node.alias) -%}
        {%- do statements.append('drop table if exists ' ~ target_relation) -%}
        {%- do statements.extend(adapter.dispatch(
            'published_table_statements', 'partner_payouts')(target_relation, source, node)) -%}
        {%- do statements.extend(adapter.dispatch(
            'grant_statements', 'partner_payouts')(target_relation, node)) -%}
    {%- endfor -%}
    {%- set periods = partner_payouts.built_relation('int_settlement_periods_listed') -%}
    {%- do statements.append(
        'insert into publishing.closed_periods select periods.program_code, '
        ~ 'periods.period_start, periods.period_end, periods.closed_at, ' ~ now
        ~ ", '" ~ invocation_id ~ "' from " ~ periods ~ ' as periods '
        ~ 'where periods.closed_at is not null and not exists (select 1 from '
        ~ 'publishing.closed_periods as known where known.program_code = '
        ~ 'periods.program_code and known.period_start = periods.period_start)') -%}
    {%- do statements.append(
        "insert into publishing.publish_log values ('" ~ invocation_id ~ "', "
        ~ now ~ ', ' ~ marts | length ~ ')') -%}
    {{ return(statements) }}
{% endmacro %}


{#-
    A published mart from its audited copy: with its contract's column types
    and not-null constraints, and its descriptions as comments.
-#}
{% macro default__published_table_statements(target_relation, source, node) %}
    {%- set statements = [] -%}
    {%- set definitions = [] -%}
    {%- set names = [] -%}
    {%- for column in node.columns.values() if column.data_type -%}
        {%- set not_null = column.constraints
            | selectattr('type', 'equalto', 'not_null') | list -%}
        {%- do definitions.append(adapter.quote(column.name) ~ ' '
            ~ column.data_type ~ (' not null' if not_null else '')) -%}
        {%- do names.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {%- if node.config.contract.enforced -%}
        {%- do statements.append('create table ' ~ target_relation ~ ' ('
            ~ definitions | join(', ') ~ ')') -%}
        {%- do statements.append('insert into ' ~ target_relation ~ ' ('
            ~ names | join(', ') ~ ') select ' ~ names | join(', ')
            ~ ' from ' ~ source) -%}
    {%- else -%}
        {%- do statements.append('create table ' ~ target_relation
            ~ ' as select * from ' ~ source) -%}
    {%- endif -%}
    {%- do statements.extend(partner_payouts.comment_statements(
        target_relation, node)) -%}
    {{ return(statements) }}
{% endmacro %}

{#-
    Spark: a Parquet table with the contract's column types and the
    descriptions as comments in its definition (Parquet tables take no
    not-null constraint: the audited copy's tests guard those columns).
    The Hive metastore keeps 256 characters of a column comment (a longer
    one costs a 20-second fallback per table): longer descriptions are cut
    there; dbt docs keep them whole.
-#}
{% macro spark__published_table_statements(target_relation, source, node) %}
    {%- set definitions = [] -%}
    {%- set names = [] -%}
    {%- for column in node.columns.values() if column.data_type -%}
        {%- do definitions.append(adapter.quote(column.name) ~ ' ' ~ column.data_type
            ~ (' comment ' ~ partner_payouts.sql_string(
                   column.description | trim | truncate(256, end='…', leeway=0))
               if column.description else '')) -%}
        {%- do names.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {%- set comment = ' comment ' ~ partner_payouts.sql_string(node.description | trim)
        if node.description else '' -%}
    {%- if node.config.contract.enforced -%}
        {{ return([
            'create table ' ~ target_relation ~ ' (' ~ definitions | join(', ')
                ~ ') using parquet' ~ comment,
            'insert into ' ~ target_relation ~ ' (' ~ names | join(', ')
                ~ ') select ' ~ names | join(', ') ~ ' from ' ~ source,
        ]) }}
    {%- endif -%}
    {{ return(['create table ' ~ target_relation ~ ' using parquet' ~ comment
        ~ ' as select * from ' ~ source]) }}
{% endmacro %}


{#- The storage clause of a table the project creates itself (Spark: Parquet). -#}
{% macro table_format() %}
    {{ return(adapter.dispatch('table_format', 'partner_payouts')()) }}
{% endmacro %}

{% macro default__table_format() %}{{ return('') }}{% endmacro %}

{% macro spark__table_format() %}{{ return(' using parquet') }}{% endmacro %}


{#-
    The grants a published mart carries: its `grants` config (dbt_project.yml,
    var `bi_roles`), applied again on every publish because the table is
    created anew, and `usage` on the published schema, so that the roles
    read the published marts and no other schema. DuckDB has no grants.
-#}
{% macro default__grant_statements(relation, node) %}
    {{ return([]) }}
{% endmacro %}

{% macro postgres__grant_statements(relation, node) %}
    {%- set statements = [] -%}
    {%- for privilege, roles in (node.config.grants or {}).items() -%}
        {%- for role in roles -%}
            {%- do statements.append('grant usage on schema '
                ~ adapter.quote(relation.schema) ~ ' to ' ~ adapter.quote(role)) -%}
            {%- do statements.append('grant ' ~ privilege ~ ' on ' ~ relation
                ~ ' to ' ~ adapter.quote(role)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(statements) }}
{% endmacro %}


{#-
    Spark: a table's readers are the cluster's business (its catalog's
    permissions); the project declares no grants there, and dbt-spark would
    otherwise query them for every table.
-#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) %}
    {{ return('') }}
{% endmacro %}


{#-
    PostgreSQL: the roles of var `bi_roles` must exist before anything is
    built (on-run-start), else the build stops with one line that says what
    to do (instead of a grant failing on every mart).
-#}
{% macro check_grant_roles() %}
    {{ return(adapter.dispatch('check_grant_roles', 'partner_payouts')()) }}
{% endmacro %}

{% macro default__check_grant_roles() %}
    {{ return('') }}
{% endmacro %}

{% macro postgres__check_grant_roles() %}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set roles = var('bi_roles', ['payouts_bi']) -%}
    {%- if roles -%}
        {%- set quoted = [] -%}
        {%- for role in roles -%}
            {%- do quoted.append(partner_payouts.sql_string(role)) -%}
        {%- endfor -%}
        {%- set found = run_query('select rolname from pg_roles where rolname in ('
            ~ quoted | join(', ') ~ ')').columns[0].values() -%}
        {%- set missing = roles | reject('in', found) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error('var bi_roles: role(s) '
                ~ missing | join(', ') ~ ' do not exist on ' ~ target.host ~ ':'
                ~ target.port ~ '/' ~ target.dbname ~ ': create them (create role '
                ~ missing[0] ~ ' nologin) or pass --vars \'{bi_roles: [...]}\'') }}
        {%- endif -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{#- A published mart's descriptions as comments (what persist_docs does). -#}
{% macro comment_statements(relation, node) %}
    {%- set statements = [] -%}
    {%- if node.description -%}
        {%- do statements.append('comment on table ' ~ relation ~ ' is '
            ~ partner_payouts.sql_string(node.description | trim)) -%}
    {%- endif -%}
    {%- for column in node.columns.values() if column.description -%}
        {%- do statements.append('comment on column ' ~ relation ~ '.'
            ~ adapter.quote(column.name) ~ ' is '
            ~ partner_payouts.sql_string(column.description | trim)) -%}
    {%- endfor -%}
    {{ return(statements) }}
{% endmacro %}


{#-
    Run the publish statements atomically. DuckDB and PostgreSQL: one
    transaction; a failure rolls everything back, so readers see the old
    marts or the new ones, never a mix.
-#}
{% macro publish_relations(statements) %}
    {{ return(adapter.dispatch('publish_relations', 'partner_payouts')(statements)) }}
{% endmacro %}

{% macro default__publish_relations(statements) %}
    {%- do run_query('begin transaction; ' ~ statements | join('; ') ~ '; commit') -%}
{% endmacro %}

{% macro postgres__publish_relations(statements) %}
    {%- do run_query('begin; ' ~ statements | join('; ') ~ '; commit') -%}
{% endmacro %}

{#-
    Spark (Parquet tables, no transactions): one statement at a time, after
    the audit passed, so a failing build still publishes nothing; each
    table is replaced whole, but a publish that stops half-way (the engine
    fails between two marts) leaves some marts new: the next good build
    publishes them all again. A table format with transactions (Delta,
    Iceberg) is what makes the swap atomic on a cluster (README, "Run it on
    Spark").
-#}
{% macro spark__publish_relations(statements) %}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
{% endmacro %}


{#-
    The rows of a public mart as last published (schema var
    `published_schema`), with the mart's contracted columns and types; no
    rows on a warehouse where nothing has been published yet. A column the
    published table does not have yet (a mart that gained a column since) is
    null. Read by the models of models/intermediate/publishing/, which
    snapshot what readers were shown, so that closed periods stay final.
-#}
{% macro published_rows(mart_name) %}
    {%- if not execute -%}
        {{ return('select 1 as unparsed') }}
    {%- endif -%}
    {%- set node = (graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', mart_name) | list)[0] -%}
    {%- set relation = adapter.get_relation(
        database=node.database, schema=var('published_schema', 'marts'),
        identifier=node.alias) -%}
    {%- set present = [] -%}
    {%- if relation is not none -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do present.append(column.name | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    select
    {%- for column in node.columns.values() if column.data_type %}
        cast(
            {{ adapter.quote(column.name) if column.name in present else 'null' }}
            as {{ column.data_type }}) as {{ adapter.quote(column.name) }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    {%- if relation is not none %}
    from {{ relation }}
    {%- else %}
    where 1 = 0
    {%- endif %}
{% endmacro %}


{#-
    The settlement periods whose statements have been published as final
    (publishing.closed_periods); none on a new warehouse.
-#}
{% macro published_closed_periods() %}
    {%- set relation = none -%}
    {%- if execute -%}
        {%- set relation = adapter.get_relation(
            database=target.database, schema='publishing',
            identifier='closed_periods') -%}
    {%- endif -%}
    {%- if relation is not none -%}
    select program_code, period_start, period_end, closed_at, published_at
    from {{ relation }}
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as program_code,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        cast(null as {{ dbt.type_timestamp() }}) as closed_at,
        cast(null as {{ dbt.type_timestamp() }}) as published_at
    where 1 = 0
    {%- endif -%}
{% endmacro %}
