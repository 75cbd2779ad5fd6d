"""The service layer: the commands and queries every entry point uses (HTTP, Socket.IO, pager keys,
evaluators, the command line, the bench, tests), the command runner and the message bus."""
