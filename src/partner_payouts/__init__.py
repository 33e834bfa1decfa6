"""partner_payouts: the non-SQL parts of the warehouse (CLI, demo data, loaders)."""

__version__ = "0.1.0"
