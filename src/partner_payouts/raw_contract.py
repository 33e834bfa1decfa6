"""The raw input contract (docs/raw-contract.md): tables and columns.

The dbt sources (models/staging/*/_*__sources.yml) are the warehouse's copy of
the same contract; tests/python/test_raw_contract.py checks the two agree.
"""

RAW_TABLES: dict[str, tuple[str, ...]] = {
    "partners": (
        "partner_id", "partner_name", "company_domain", "country_code",
        "created_at",
    ),
    "partner_agreements": (
        "agreement_id", "partner_id", "program_code", "status", "signed_on",
        "approved_on", "terminated_on", "terminated_by",
        "commission_rate_override", "payout_currency", "post_payment_approved_on",
    ),
    "customers": (
        "customer_id", "customer_name", "company_domain", "country_code",
        "legal_entity", "reseller_partner_id", "created_at",
    ),
    "leads": (
        "lead_id", "partner_id", "program_code", "customer_id",
        "registered_at", "status", "approved_at", "sales_account_owner",
        "decision_maker_introduced",
    ),
    "lead_contacts": (
        "contact_id", "lead_id", "full_name", "email", "job_title",
        "is_decision_maker", "introduced_on",
    ),
    "products": ("product_code", "product_name", "product_family", "is_recurring"),
    "contracts": (
        "contract_id", "customer_id", "product_code", "order_type",
        "renews_contract_id", "ordered_on", "signed_on", "starts_on", "ends_on",
        "cancelled_on", "term_months", "monthly_amount", "currency",
    ),
    "invoices": (
        "invoice_id", "customer_id", "legal_entity", "document_type",
        "corrects_invoice_id", "issued_on", "due_on", "currency", "recorded_at",
    ),
    "invoice_lines": (
        "invoice_line_id", "invoice_id", "contract_id", "product_code",
        "charge_type", "service_period_start", "service_period_end", "quantity",
        "list_amount", "discount_amount", "promo_pct", "net_amount", "tax_amount",
    ),
    "payments": ("payment_id", "invoice_id", "received_on", "amount", "recorded_at"),
    "fx_rates": ("rate_date", "currency", "units_per_eur"),
    "tier_grace_periods": (
        "partner_id", "program_code", "granted_tier", "starts_on", "ends_on",
    ),
    "payout_runs": ("program_code", "period_start", "period_end", "closed_at"),
}

# Columns a file may lack (read as empty); every other column is required.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "partner_agreements": ("post_payment_approved_on",),
}
