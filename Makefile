# The two commands: `make run` (service on SQLite with demo data) and `make test` (everything).
# `make test-fast` is the everyday tier: lint, types and pytest on SQLite without browser or slow tests.
.PHONY: run test test-deploy bench-portal test-fast lint lint-ansible bench-vouchers bench-voucher-pdf bench-radius bench-stats bench-fleet fuzz soak clean

run:
	scripts/run.sh

test:
	scripts/test.sh

test-fast:
	scripts/test.sh --fast

# ansible/central.yml against a fresh Debian 12 booted here (root; minutes; cached Debian tree).
test-deploy:
	scripts/test_deploy.sh

lint:
	scripts/bootstrap.sh && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

# ansible-lint (production profile) and --syntax-check of every playbook in ansible/ (also in make test).
lint-ansible:
	scripts/bootstrap.sh && scripts/ansible-check.sh

bench-vouchers:
	scripts/bootstrap.sh && .venv/bin/python scripts/bench_vouchers.py

bench-portal:
	scripts/bootstrap.sh && .venv/bin/python scripts/bench_portal.py

bench-voucher-pdf:
	scripts/bootstrap.sh && .venv/bin/python scripts/bench_voucher_pdf.py

bench-radius:
	scripts/bootstrap.sh && scripts/bench_radius.sh

# A province-year (~73 million sessions) on PostgreSQL and a tenth of it on SQLite: rollups,
# every statistics page and API call, the PDF and XLSX timed. SCALE=0.1 for a quick run.
bench-stats:
	scripts/bootstrap.sh && .venv/bin/python scripts/bench_stats.py --scale $(or $(SCALE),1.0)

# The poller against 1,000 simulated routers (0.7 s per answer inside the RouterOS double, 5 %
# silent, 2 % dropping connections), 10 rounds back to back.
bench-fleet:
	scripts/bootstrap.sh && .venv/bin/python scripts/bench_fleet.py

# 100,000 mutated RADIUS packets against the real server (make test runs a few thousand).
fuzz:
	scripts/bootstrap.sh && .venv/bin/python scripts/fuzz_radius.py

# 10 minutes of mixed traffic at half the measured peak against the services of `make run`.
soak:
	scripts/bootstrap.sh && .venv/bin/python scripts/soak.py

clean:
	rm -rf .venv var .pytest_cache .mypy_cache .ruff_cache ansible/.ansible ansible/.retry
