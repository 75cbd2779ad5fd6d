"""`hallq bench`: replays a peak hall against real `hallq serve` processes and reports throughput,
call-to-screen latency, errors and the servers' peak memory (docs/performance.md)."""
