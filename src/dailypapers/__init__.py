"""dailypapers: which new arXiv papers are about your topics, verified locally and announced once."""

__version__ = "0.1.0"
