"""helpende-data insights: ingest, disclosure control, risk scores and releases."""
