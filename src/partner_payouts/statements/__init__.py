"""Partner statements: documents and the payout file (render.py)."""
