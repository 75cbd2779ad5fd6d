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

# Three workers, one test file each at a time (module-scoped halls stay in one worker): the tests
# mostly wait on their servers and browsers, so three share two cores well (docs/decisions.md).
TEST_WORKERS ?= 3

test: bootstrap
	./scripts/services
	.venv/bin/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)
