"""`hallq simulate`: a hall day played through the real service layer (docs/waits.md, "Simulator")."""
