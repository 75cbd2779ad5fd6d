"""hallq: the central server of a government service hall's kiosks, windows and screens."""
__version__ = "0.1.0"
