"""Socket.IO push: the namespaces and rooms, the bus consumer that emits, the wire form of each event,
and the relay of device events between server processes."""
