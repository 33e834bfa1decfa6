"""Data-quality guard: Great Expectations suites over the public marts.

`suites.py` defines what is checked (as code), `runner.py` runs every suite
as one checkpoint against a built warehouse and writes Data Docs.
"""
