# The two commands of the README. Each installs what it needs first: the demo only the server's
# parts (scripts/bootstrap demo), the tests everything (PostgreSQL, Redis, Chromium, test tools).
.PHONY: demo test bootstrap bootstrap-demo

bootstrap:
	./scripts/bootstrap test

bootstrap-demo:
	./scripts/bootstrap demo

# make demo PORT=5001 serves on another port
demo: bootstrap-demo
	./scripts/demo $(if $(PORT),--port $(PORT))

test: bootstrap
	./scripts/services
	.venv/bin/python -m pytest $(PYTEST_ARGS)
