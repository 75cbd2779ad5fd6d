"""The hall's pages (CONTRACT.md "Pages"): plain HTML, CSS and JS modules served from this package,
every asset local (halls run on closed LANs)."""
