"""Hardware drivers (printers, speech, LED screens, pagers, evaluators): see issue 4.

Each device kind will have one interface and a worker fed by a queue, so a slow device never
blocks the server. Nothing is implemented here yet.
"""
