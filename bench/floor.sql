-- The engine's floor (issue 16; README, "Performance"): the least work that
-- produces the payout and tier numbers from a raw export, with none of the
-- project's checks. `make bench` runs it on DuckDB, each `{table}` being
-- a reader of that raw file (or seed), and compares every build with it.
-- One CTE per step.
with

-- 1. The raw invoice lines, their money typed (a value that is not one is
-- null: the floor quarantines nothing).
lines as (
    select
        invoice_id,
        contract_id,
        try_cast(net_amount as decimal(18, 2)) as net_amount
    from {invoice_lines}
),

-- 2. Each line's invoice: its customer, currency and month.
invoices as (
    select
        invoice_id,
        customer_id,
        currency,
        date_trunc('month', try_cast(issued_on as date)) as invoice_month
    from {invoices}
),

-- 3. The lead that attributes the customer: its earliest approved lead.
leads as (
    select customer_id, partner_id, program_code
    from {leads}
    where status = 'approved'
    qualify row_number() over (
        partition by customer_id order by registered_at, lead_id
    ) = 1
),

-- 4. The partner's agreement in the lead's program and its rate.
agreements as (
    select
        agreements.agreement_id,
        agreements.partner_id,
        agreements.program_code,
        coalesce(
            try_cast(agreements.commission_rate_override as decimal(9, 6)),
            try_cast(terms.commission_rate as decimal(9, 6))
        ) as commission_rate
    from {partner_agreements} as agreements
    inner join {commission_terms} as terms
        on agreements.program_code = terms.program_code
),

-- 5. The month's exchange rate: the first rate of the month per currency.
fx as (
    select
        currency,
        date_trunc('month', try_cast(rate_date as date)) as rate_month,
        arg_min(try_cast(units_per_eur as decimal(18, 6)), try_cast(rate_date as date))
            as units_per_eur
    from {fx_rates}
    group by all
),

-- 6. Commission per agreement and month, in euros.
commission as (
    select
        agreements.agreement_id,
        invoices.invoice_month,
        sum(
            lines.net_amount * agreements.commission_rate
            / coalesce(nullif(fx.units_per_eur, 0), 1)
        ) as commission_eur
    from lines
    inner join invoices on lines.invoice_id = invoices.invoice_id
    inner join leads on invoices.customer_id = leads.customer_id
    inner join agreements
        on
            leads.partner_id = agreements.partner_id
            and leads.program_code = agreements.program_code
    left join fx
        on
            invoices.currency = fx.currency
            and invoices.invoice_month = fx.rate_month
    group by all
),

-- 7. Reseller MRR per reseller and month, in euros.
reseller_mrr as (
    select
        customers.reseller_partner_id,
        invoices.invoice_month,
        sum(lines.net_amount / coalesce(nullif(fx.units_per_eur, 0), 1)) as mrr_eur
    from lines
    inner join invoices on lines.invoice_id = invoices.invoice_id
    inner join {customers} as customers
        on invoices.customer_id = customers.customer_id
    left join fx
        on
            invoices.currency = fx.currency
            and invoices.invoice_month = fx.rate_month
    where customers.reseller_partner_id is not null
    group by all
)

-- 8. Both results, counted (the numbers themselves are not the point).
select
    (select count(*) from commission) as agreement_months,
    (select sum(commission_eur) from commission) as commission_eur,
    (select count(*) from reseller_mrr) as reseller_months,
    (select sum(mrr_eur) from reseller_mrr) as mrr_eur
