"""The dashboard over the published snapshot: `streamlit run` app.py
(`make dashboard`); the queries it shows are in data.py."""

from pathlib import Path

APP = Path(__file__).with_name("app.py")
