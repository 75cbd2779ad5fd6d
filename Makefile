# The two commands of the README. Both install what they need first.
.PHONY: demo test bootstrap

bootstrap:
	./scripts/bootstrap

demo: bootstrap
	./scripts/demo

test: bootstrap
	./scripts/services
	.venv/bin/python -m pytest $(PYTEST_ARGS)
