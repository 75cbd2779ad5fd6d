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
# mostly wait on their servers and browsers, so three share two cores well. Then, alone, the few
# marked `serial`, whose timing a loaded machine would spoil (docs/decisions.md §30). JUNIT=DIR
# writes parallel.xml and serial.xml there. Exit status 5 of the second run is "nothing selected"
# (e.g. PYTEST_ARGS="-k guarantees"), not a failure. In the parallel part a failed test runs once more
# (the JUnit report and the summary's "rerun" count say which).
TEST_WORKERS ?= 3

test: bootstrap
	./scripts/services
	.venv/bin/python -m pytest -n $(TEST_WORKERS) --dist loadfile --reruns 1 -m "not serial" $(if $(JUNIT),--junitxml=$(JUNIT)/parallel.xml) $(PYTEST_ARGS)
	.venv/bin/python -m pytest -m serial $(if $(JUNIT),--junitxml=$(JUNIT)/serial.xml) $(PYTEST_ARGS) || [ $$? -eq 5 ]
