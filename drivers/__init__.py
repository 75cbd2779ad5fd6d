"""Hardware drivers: ticket printers, LED screens, call-out speakers, pagers and evaluators.

One module per device kind owns its wording and its worker (`printer`, `led`, `speaker`, `rs485`
for the pagers and evaluators of an RS485 line), on the common `worker` (a thread fed by a queue,
retries with backoff, health reports). `router.DeviceRouter` builds the devices of the config and
hands each the typed events its kind subscribes to; `router.HallForDevices` is what they call on
the server. Protocols: `escpos_ticket`, `bx5`, `ft12`, `speech`; byte links: `links`; stand-ins for
the hardware: `simulate`. See docs/hardware.md.
"""
