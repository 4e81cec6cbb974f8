# The two commands: `make run` (service on SQLite with demo data) and `make test` (everything).
# `make test-fast` is the everyday tier: lint, types and pytest on SQLite without browser or slow tests.
.PHONY: run test bench-portal test-fast lint bench-vouchers bench-voucher-pdf bench-radius clean

run:
	scripts/run.sh

test:
	scripts/test.sh

test-fast:
	scripts/test.sh --fast

lint:
	scripts/bootstrap.sh && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

bench-vouchers:
	scripts/bootstrap.sh && .venv/bin/python scripts/bench_vouchers.py

bench-portal:
	scripts/bootstrap.sh && .venv/bin/python scripts/bench_portal.py

bench-voucher-pdf:
	scripts/bootstrap.sh && .venv/bin/python scripts/bench_voucher_pdf.py

bench-radius:
	scripts/bootstrap.sh && scripts/bench_radius.sh

clean:
	rm -rf .venv var .pytest_cache .mypy_cache .ruff_cache
