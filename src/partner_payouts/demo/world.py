"""The simulated vendor behind the demo export.

Everything here describes the *demo world*: what the vendor sells, how its
billing system invoices, how often customers pay late, how its partners
behave. It is configuration of a synthetic data source, not of the warehouse:
the warehouse reads its program terms from dbt seeds and never from here.

Money is held in integer cents and fractions in basis points (1 bp = 0.01 %),
so every amount written is exact.
"""

from dataclasses import dataclass

import numpy as np

# The demo's calendar: the first service month, the last invoice date, and the
# day the export was taken (documents recorded up to then).
FIRST_DAY = np.datetime64("2024-01-01")
LAST_ISSUE_DAY = np.datetime64("2026-06-30")
EXPORT_DAY = np.datetime64("2026-07-15")
FX_FIRST_DAY = np.datetime64("2023-12-01")
# Settlement periods ending on or before this day have been paid out (a payout
# run exists, closed ten days after the period ends).
LAST_CLOSED_PERIOD_END = np.datetime64("2026-03-31")
RUN_CLOSE_LAG_DAYS = 10

# The vendor's legal entities and the currency each bills in.
ENTITY_CURRENCY = {"VND-NL": "EUR", "VND-DE": "EUR", "VND-US": "USD", "VND-UK": "GBP"}

# Customer countries by billing entity, with domestic VAT in basis points
# (cross-border B2B is reverse-charged at 0).
COUNTRIES = {
    "VND-NL": [("NL", 2100), ("BE", 0), ("FR", 0), ("ES", 0), ("IE", 0)],
    "VND-DE": [("DE", 1900), ("AT", 0), ("IT", 0), ("PL", 0)],
    "VND-US": [("US", 0), ("CA", 0)],
    "VND-UK": [("GB", 2000)],
}
ENTITY_WEIGHTS = {"VND-NL": 0.34, "VND-DE": 0.36, "VND-US": 0.24, "VND-UK": 0.06}

# FX: units of currency per EUR, a business-day random walk from these levels.
FX_START = {"USD": 1.0850, "GBP": 0.8550}


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    family: str
    is_recurring: bool
    low_cents: int  # monthly price range (recurring) or unit price (one-off)
    high_cents: int
    setup_cents: int = 0


PRODUCTS = [
    Product("CLD-S", "Cloud Server S", "cloud", True, 3_900, 6_900),
    Product("CLD-M", "Cloud Server M", "cloud", True, 12_000, 19_000),
    Product("CLD-L", "Cloud Server L", "cloud", True, 39_000, 65_000),
    Product("K8S", "Managed Kubernetes", "managed_service", True, 29_000, 95_000, 25_000),
    Product("DBAAS", "Managed Database", "managed_service", True, 14_000, 42_000, 15_000),
    Product("MGD-OPS", "Managed Operations", "managed_service", True, 60_000, 180_000, 50_000),
    Product("HOST-W", "Web Hosting", "hosting", True, 900, 3_900),
    Product("HOST-B", "Business Hosting", "hosting", True, 6_000, 15_000, 4_900),
    Product("DS-E", "Dedicated Server Entry", "dedicated_server", True, 7_900, 12_900, 9_900),
    Product("DS-P", "Dedicated Server Pro", "dedicated_server", True, 24_900, 39_900, 19_900),
    Product("DS-X", "Dedicated Server XL", "dedicated_server", True, 69_000, 119_000, 29_900),
    Product("CDN", "CDN Bandwidth Plan", "cdn", True, 19_000, 49_000),
    Product("SAAS-NET", "Supply Chain Network", "saas", True, 250_000, 900_000),
    Product("SAAS-MOD", "Network Add-on Module", "saas", True, 60_000, 150_000),
    Product("MYENG", "MyEngineer Support", "myengineer_support", True, 15_000, 60_000),
    Product("SUP-STD", "OpenNebula Support Standard", "support_subscription", True, 60_000, 150_000),
    Product("SUP-PRM", "OpenNebula Support Premium", "support_subscription", True, 150_000, 400_000),
    Product("PS-DAY", "Professional Services Day", "professional_services", False, 120_000, 140_000),
    Product("CONS-H", "Consulting Hour", "professional_services", False, 15_000, 18_000),
    Product("TRN", "Training Course", "training", False, 90_000, 180_000),
]
PRODUCT_INDEX = {p.code: i for i, p in enumerate(PRODUCTS)}

# What each kind of customer buys: (product, weight) for recurring services,
# one-off products, and the billing interval rule.
#   billing: "monthly" = invoiced every month whatever the commitment term;
#            "term" = prepaid: one invoice per term.
CUSTOMER_KINDS = {
    "nws": dict(
        recurring=[("CLD-S", 3), ("CLD-M", 4), ("CLD-L", 1), ("K8S", 3), ("DBAAS", 2),
                   ("HOST-B", 2), ("SAAS-MOD", 1)],
        extra=[("MYENG", 0.45)], one_off=[("CONS-H", 0.15)],
        terms=[(1, 0.7), (12, 0.3)], billing="monthly"),
    "opennebula": dict(
        recurring=[("SUP-STD", 3), ("SUP-PRM", 1)],
        extra=[], one_off=[("PS-DAY", 0.6), ("TRN", 0.35)],
        terms=[(12, 1.0)], billing="term"),
    "netsource": dict(
        recurring=[("MGD-OPS", 2), ("K8S", 2), ("DBAAS", 2), ("HOST-B", 3), ("HOST-W", 1)],
        extra=[], one_off=[("CONS-H", 0.5)],
        terms=[(12, 0.7), (24, 0.3)], billing="monthly"),
    "onenetwork": dict(
        recurring=[("SAAS-NET", 1)],
        extra=[("SAAS-MOD", 0.3)], one_off=[("PS-DAY", 0.7)],
        terms=[(12, 1.0)], billing="mixed"),
    "direct": dict(
        recurring=[("CLD-S", 3), ("CLD-M", 2), ("HOST-W", 3), ("HOST-B", 2), ("DS-E", 2),
                   ("CDN", 1), ("DBAAS", 1), ("MYENG", 1)],
        extra=[], one_off=[("TRN", 0.1), ("CONS-H", 0.1)],
        terms=[(1, 0.6), (12, 0.3), (24, 0.1)], billing="monthly"),
}
# Share of the referral/direct customer base by kind.
KIND_WEIGHTS = {"nws": 0.2, "opennebula": 0.12, "netsource": 0.2, "onenetwork": 0.1,
                "direct": 0.38}

# Programs, their codes, and how many partners each has at scale 1.
PROGRAMS = {
    "nws": "nws_partner_lead",
    "reseller": "lsw_reseller",
    "opennebula": "opennebula_referral",
    "netsource": "netsource_referral",
    "onenetwork": "onenetwork_referral",
}
PARTNERS_AT_SCALE_1 = {"nws": 8, "opennebula": 7, "netsource": 8, "onenetwork": 7,
                       "reseller": 10}
# Settlement period length per program, for the payout runs (months).
SETTLEMENT_MONTHS = {"nws": 3, "opennebula": 1, "netsource": 1, "onenetwork": 1,
                     "reseller": 1}

# Referral/direct customers per unit of scale (scale 1 is about 10,000 lines).
CUSTOMERS_PER_SCALE = 430
CUSTOMERS_PER_BLOCK = 500
RESELLERS_PER_SCALE = 10

# Partner-agreement outcomes.
AGREEMENT_STATUS = [("approved", 0.74), ("terminated_vendor", 0.07),
                    ("terminated_partner", 0.06), ("applied", 0.07), ("rejected", 0.06)]
# The first partners of each referral program, so that every outcome occurs
# even at small scale.
AGREEMENT_OUTCOMES_FIRST = ["approved", "terminated_vendor", "approved", "terminated_partner",
                            "applied", "approved", "rejected"]
# Customers choose a partner with an approved (or terminated) agreement this
# many times more often than one whose application is pending or rejected.
APPROVED_PARTNER_WEIGHT = 4
# Agreement rate overrides (basis points; None = program default).
RATE_OVERRIDES = {
    "opennebula": [(None, 0.4), (800, 0.2), (1200, 0.2), (1500, 0.1), (2000, 0.1)],
    "netsource": [(None, 0.7), (800, 0.2), (500, 0.05), (1200, 0.05)],
}

# Payment behaviour per invoice.
PAYMENT_OUTCOMES = [("on_time", 0.84), ("instalments", 0.05), ("late", 0.04),
                    ("partial", 0.03), ("unpaid", 0.03), ("charged_back", 0.01)]
CREDIT_NOTE_SHARE = 0.025  # of eligible invoice lines
LATE_DOCUMENT_SHARE = 0.015  # of documents in closed periods, recorded after the close
LATE_PAYMENT_SHARE = 0.01
PROMO_SHARE = 0.12  # of contracts with a website promotion on their first periods
PROMO_BP = [500, 1000, 1500, 2000]
PROMO_PERIODS = 3

# The reseller program as the demo vendor's billing system applies it. The
# warehouse audits invoices against its own seeds; a share of lines is
# deliberately billed wrong so that the audit has findings.
RESELLER_TIER_FLOORS_EUR = [0, 500, 2_000, 5_000, 10_000, 20_000, 40_000]
RESELLER_MONTHLY_DISCOUNT_BP = [0, 500, 800, 1000, 1500, 2000, 2500]
RESELLER_SETUP_DISCOUNT_BP = [0, 1000, 2000, 3500, 5000, 7500, 10000]
RESELLER_DISCOUNT_CAP_BP = 2500
PREPAY_DISCOUNT_BP = {1: 0, 3: 250, 6: 500, 12: 1000, 24: 2000, 36: 3000}
RESELLER_TERMS = [(1, 0.5), (3, 0.1), (6, 0.1), (12, 0.2), (24, 0.06), (36, 0.04)]
RESELLER_PRODUCTS = [("DS-E", 3), ("DS-P", 3), ("DS-X", 1), ("CLD-M", 2), ("CLD-L", 1),
                     ("CDN", 1)]
# Target MRR (EUR) of a reseller by size class, and the class weights.
RESELLER_SIZES = [("small", (300, 1_800), 0.35), ("medium", (2_000, 9_000), 0.45),
                  ("large", (10_000, 45_000), 0.2)]
RESELLER_BILLING_ERROR_SHARE = 0.04
GRACE_SHARE = 0.3
# Renewals on a shorter term than the contract they renew (mostly the next
# shorter term of RESELLER_TERMS) pay a surcharge by the new term.
RESELLER_TERM_DOWNGRADE_SHARE = 0.2
RESELLER_TERM_SURCHARGE_BP = {1: 1000, 3: 750, 6: 500}
# Whether a reseller renews on a shorter term even where the surcharge
# outweighs its locked discount (a negative entitled discount: it pays above
# list). Off: the warehouse's test on fct_reseller_discount_audit's
# entitled_discount_pct (fraction between 0 and 1) would fail the build.
RESELLER_SURCHARGE_ABOVE_LIST = False
# Seeding units: complimentary one-month units ordered in batches (a few
# weeks apart at most), free for their first months while not more than the
# maximum run at once. Some are kept beyond the allowance (and billed at the
# ordinary discount). The billing system sometimes misses the unit limit
# (an over-limit unit billed free) or ends a unit's free months a month late.
SEEDING_SHARE = 0.5  # of resellers
SEEDING_BATCH_UNITS = (1, 8)  # units per batch, inclusive
SEEDING_MAX_RUNNING_UNITS = 5
SEEDING_ALLOWANCE_MONTHS = 3
SEEDING_KEPT_SHARE = 0.25
SEEDING_LIMIT_MISSED_SHARE = 0.4
SEEDING_LATE_END_SHARE = 0.3
# Payment terms of reseller invoices: due on issue (pre-payment) unless the
# reseller was approved for post-payment; then each account has its own terms
# (days after issue, up to the program's 30). A small share of invoices is
# issued with longer terms than allowed.
RESELLER_POST_PAYMENT = [("from_start", 0.3), ("later", 0.3), ("never", 0.4)]
# The first resellers, so that every case occurs even at small scale.
RESELLER_POST_PAYMENT_FIRST = ["from_start", "never", "later"]
RESELLER_POST_PAYMENT_LATER = ("2025-03-01", "2026-03-31")
RESELLER_POST_PAYMENT_DUE_DAYS = [(30, 0.6), (14, 0.3), (0, 0.1)]
RESELLER_LONG_TERMS_SHARE = 0.01
RESELLER_LONG_TERMS_DAYS = {False: 14, True: 45}  # by post-payment

# Names for synthetic companies and people.
COMPANY_WORDS_A = ["Alpine", "Blue", "Cedar", "Delta", "Echo", "Fjord", "Granite", "Harbor",
                   "Iron", "Juniper", "Kestrel", "Lumen", "Maple", "Nordic", "Orbit", "Pioneer",
                   "Quartz", "River", "Summit", "Tidal", "Union", "Vector", "Willow", "Zenith"]
COMPANY_WORDS_B = ["Analytics", "Logistics", "Foods", "Media", "Health", "Retail", "Labs",
                   "Systems", "Energy", "Travel", "Finance", "Works", "Studios", "Networks",
                   "Robotics", "Textiles", "Farms", "Motors", "Pharma", "Games"]
COMPANY_SUFFIX = {"NL": "B.V.", "BE": "NV", "FR": "SAS", "ES": "S.L.", "IE": "Ltd",
                  "DE": "GmbH", "AT": "GmbH", "IT": "S.r.l.", "PL": "Sp. z o.o.",
                  "US": "Inc.", "CA": "Inc.", "GB": "Ltd"}
PARTNER_WORDS = ["Cloud", "IT", "Hosting", "Digital", "Consulting", "Solutions", "Systems",
                 "Integration", "Networks", "Tech"]
FIRST_NAMES = ["Anna", "Ben", "Carla", "David", "Eva", "Felix", "Grace", "Hugo", "Ines",
               "Jonas", "Kim", "Lena", "Marco", "Nina", "Oscar", "Paula", "Quinn", "Rosa",
               "Sam", "Tara", "Umar", "Vera", "Wim", "Yara"]
LAST_NAMES = ["Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ivanova",
              "Jansen", "Klein", "Larsen", "Moreau", "Novak", "Olsen", "Peters", "Rossi",
              "Schmidt", "Tanaka", "Urban", "Visser", "Weber", "Young"]
JOB_TITLES = [("CTO", True), ("CIO", True), ("CEO", True), ("Head of IT", True),
              ("IT Manager", False), ("DevOps Lead", False), ("Procurement", False),
              ("Architect", False)]
SALES_REPS = ["Dana Reyes", "Omar Haddad", "Sofia Lind", "Marek Nowak", "Julia Brandt",
              "Tom Okafor", "Elena Ruiz", "Kai Andersen"]
