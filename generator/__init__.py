"""Turn annotated news articles into a static explainer site."""

__version__ = "0.1.0"
