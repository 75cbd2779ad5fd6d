"""hallq: the command line (`hallq …`) and the composition root that builds the hall's server from its
parts: server/ (domain, services, adapters), drivers/ (the hardware) and bench/ (the load replay)."""
