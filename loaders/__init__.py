"""Loaders: read → clean → extract → link. Each module is one stage."""
