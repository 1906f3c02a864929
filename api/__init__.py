"""helpende-data API: serves published releases only (FastAPI)."""

from api.app import create_app

__all__ = ["create_app"]
