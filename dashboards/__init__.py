"""helpende-data dashboards: Folium maps rendered from published releases only."""
