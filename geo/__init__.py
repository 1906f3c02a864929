"""helpende-data geo: CBS boundaries, codes, the area hierarchy and geometry at the edges."""
