-- Explain one payout line by line, the way a finance analyst answers a
-- partner: which invoice lines make up the payout of an agreement for a
-- settlement period, which were booked in late (adjustments, with their
-- natural period), and which lines of the same period earned nothing and
-- why (excluded with a reason, or held until the customer pays).
--
--   dbt compile -s explain_partner_payout --vars \
--     '{explain_agreement_id: AG000003, explain_period_start: 2025-04-01}'
--   then run the compiled SQL (target/compiled/partner_payouts/analyses/).
--
-- Without vars it explains the largest payout in the warehouse. The last
-- row ("payout") recomputes the payout from the lines: the rounded sum
-- plus the carried balance equals fct_partner_payouts.payout_amount plus
-- the balance carried out.

with payouts as (
    select * from {{ ref('fct_partner_payouts') }}
),

lines as (
    select * from {{ ref('fct_commission_lines') }}
),

chosen as (
    select *
    from payouts
    {% if var('explain_agreement_id', none) -%}
        where
            agreement_id = '{{ var("explain_agreement_id") }}'
            and period_start = cast('{{ var("explain_period_start") }}' as date)
    {%- else -%}
        order by payout_amount desc, agreement_id asc
        limit 1
    {%- endif %}
),

explained as (
    select
        lines.status,
        case
            when lines.status = 'payable' and lines.is_adjustment
                then {{ dbt.concat([
                    "'adjustment from the period starting '",
                    'cast(lines.natural_period_start as '
                    ~ dbt.type_string() ~ ')']) }}
            when lines.status = 'payable' then 'commission'
            when lines.status = 'held' then 'held: invoice not yet paid'
            else {{ dbt.concat(["'excluded: '", 'lines.exclusion_reason']) }}
        end as explanation,
        lines.customer_id,
        lines.invoice_id,
        lines.invoice_line_id,
        lines.document_type,
        lines.issued_on,
        lines.product_family,
        lines.charge_type,
        lines.line_net_amount,
        lines.commissionable_amount,
        lines.invoice_currency,
        lines.commission_rate,
        lines.commission_amount,
        {{ divide_exact(
            'lines.payout_units_per_eur', 'lines.invoice_units_per_eur') }}
            as fx_factor,
        lines.commission_amount_payout_currency,
        lines.payout_currency
    from lines
    inner join chosen
        on lines.agreement_id = chosen.agreement_id
    where
        lines.settlement_period_start = chosen.period_start
        or (
            lines.status <> 'payable'
            and lines.issued_on
            between chosen.period_start and chosen.period_end
        )
),

total as (
    select
        'payout' as status,
        {{ dbt.concat([
            "'rounded sum of payable lines '",
            'cast(chosen.period_net_amount as ' ~ dbt.type_string() ~ ')',
            "' + carried in '",
            'cast(chosen.carried_in_amount as ' ~ dbt.type_string() ~ ')',
            "' = payout '",
            'cast(chosen.payout_amount as ' ~ dbt.type_string() ~ ')',
            "' + carried out '",
            'cast(chosen.carried_out_amount as ' ~ dbt.type_string() ~ ')',
        ]) }} as explanation,
        null as customer_id,
        null as invoice_id,
        null as invoice_line_id,
        null as document_type,
        chosen.period_end as issued_on,
        null as product_family,
        null as charge_type,
        null as line_net_amount,
        null as commissionable_amount,
        null as invoice_currency,
        null as commission_rate,
        null as commission_amount,
        null as fx_factor,
        sum(explained.commission_amount_payout_currency)
            as commission_amount_payout_currency,
        chosen.payout_currency
    from chosen
    left join explained
        on explained.status = 'payable'
    group by
        chosen.period_net_amount,
        chosen.carried_in_amount,
        chosen.payout_amount,
        chosen.carried_out_amount,
        chosen.period_end,
        chosen.payout_currency
)

select * from explained
union all
select * from total
order by status desc, issued_on asc, invoice_line_id asc
