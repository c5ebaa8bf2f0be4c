# Two commands for users: `make demo` (the main job on the demo city) and `make test` (every test).
# Both create and reuse .venv; nothing else needs installing by hand.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-province lab dashboard hub hub-proxy screenshots template clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/lianhu demo --size city --out build/demo

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/demo.py
	$(BIN)/python bench/rosters.py
	$(BIN)/python bench/pairing.py --size city --seeds 3
	$(BIN)/python bench/archives.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/dashboard_kernels.py
	$(BIN)/python bench/published_page.py
	$(BIN)/python bench/demo_spread.py

bench-province: $(STAMP)  # about 3 minutes
	$(BIN)/python bench/pairing.py --size province --localities unit_villages

dashboard: $(STAMP)  # the leadership dashboard, code hidden (Voilà); on data/lianhu.sqlite, else make demo's store
	$(BIN)/lianhu dashboard $(if $(DB),--db $(DB)) $(if $(POLICY),--policy-file $(POLICY))

hub: $(STAMP)  # JupyterHub with logins for the office network: leaders the dashboard, planners JupyterLab (README)
	$(BIN)/lianhu hub $(if $(DB),--db $(DB)) $(if $(POLICY),--policy-file $(POLICY)) $(if $(IP),--ip $(IP)) $(if $(PORT),--port $(PORT))

hub-proxy: $(STAMP)  # JupyterHub's proxy (npm configurable-http-proxy, pinned) into build/hub-proxy; `lianhu hub` does it too
	$(BIN)/python -c 'from lianhu_tools.hub.proxy import ensure_proxy; print(ensure_proxy())'

screenshots: $(STAMP)  # the README's screenshots, taken by the browser test on the small demo city
	LIANHU_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/test_browser.py -q -p no:cacheprovider

lab: $(STAMP)  # JupyterLab in Simplified Chinese, on the notebooks
	$(BIN)/lianhu lab notebooks

template: $(STAMP)
	$(BIN)/lianhu template --out build/名册模板.xlsx

clean:
	rm -rf build $(VENV)
