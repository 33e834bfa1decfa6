{#-
    The discount audit per reseller and month (by invoice issue month), for
    a partner manager: how many lines were audited, how many carry a wrong
    discount, how much the reseller was overcharged (under-discounted lines)
    and how much revenue leaked (over-discounted lines), in EUR, each sum
    rounded once to cents (half away from zero); the exact amount of every
    line is in fct_reseller_discount_audit.
-#}
with audited as (
    select * from {{ ref('int_reseller_lines_audited') }}
),

monthly as (
    select
        audited.partner_id,
        audited.program_code,
        {{ month_start('audited.issued_on') }} as month_start,
        count(*) as audited_line_count,
        sum(case when audited.finding = 'ok' then 0 else 1 end)
            as finding_count,
        sum(
            case when audited.finding = 'under_discounted' then 1 else 0 end
        ) as under_discounted_line_count,
        sum(
            case when audited.finding = 'over_discounted' then 1 else 0 end
        ) as over_discounted_line_count,
        sum(
            case
                when audited.finding = 'under_discounted'
                    then audited.variance_amount_eur
                else 0
            end
        ) as under_discounted_eur,
        sum(
            case
                when audited.finding = 'over_discounted'
                    then -1 * audited.variance_amount_eur
                else 0
            end
        ) as over_discounted_eur
    from audited
    group by
        audited.partner_id,
        audited.program_code,
        {{ month_start('audited.issued_on') }}
),

final as (
    select
        partner_id,
        program_code,
        month_start,
        cast(audited_line_count as {{ dbt.type_bigint() }})
            as audited_line_count,
        cast(finding_count as {{ dbt.type_bigint() }}) as finding_count,
        cast(under_discounted_line_count as {{ dbt.type_bigint() }})
            as under_discounted_line_count,
        cast(over_discounted_line_count as {{ dbt.type_bigint() }})
            as over_discounted_line_count,
        {{ dbt.concat([
            'partner_id', "'|'",
            'cast(month_start as ' ~ dbt.type_string() ~ ')']) }}
            as audit_month_id,
        {{ round_money('under_discounted_eur') }} as under_discounted_eur,
        {{ round_money('over_discounted_eur') }} as over_discounted_eur
    from monthly
)

select * from final
