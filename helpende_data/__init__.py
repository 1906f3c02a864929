"""Composition root of helpende-data: the command line that wires the build (``insights``), the API
(``api``) and the maps (``dashboards``) together. Imports only ever point down:
``geo ← insights ← {api, dashboards} ← helpende_data``."""
