# StrikeDesk developer commands. Every target builds the venv first if it is missing or stale,
# so `make run` and `make test` are the only set-up a fresh machine needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export QT_API := pyside6

.PHONY: run test test-all lint fmt bench package smoke clean screenshots

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m app $(ARGS)

# The whole suite, offscreen. Slow checks (1M-datagram fuzz, 20 SIGKILL trials) run with `make test-all`.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

test-all: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "slow or not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app tests bench migrations docs
	$(BIN)/ruff format --check app tests bench migrations docs
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix app tests bench migrations docs
	$(BIN)/ruff format app tests bench migrations docs

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

# The README's and operator guide's pictures of the real window, recording replayed samples.
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/make_screenshots.py

# The one-folder bundle dist/StrikeDesk/ (PyInstaller, packaging/strikedesk.spec); the Windows
# installer is built on Windows from it (packaging/README.md).
PACKAGE_STAMP := $(VENV)/.installed-package

$(PACKAGE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,package]'
	@touch $(PACKAGE_STAMP)

package: $(PACKAGE_STAMP)
	@start=$$(date +%s); \
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN packaging/strikedesk.spec && \
	echo "package: dist/StrikeDesk built in $$(( $$(date +%s) - start )) s, $$(du -sm dist/StrikeDesk | cut -f1) MB"

# The frozen build's end-to-end check through both executables (.ci/run runs it).
smoke: package
	dist/StrikeDesk/StrikeDesk --smoke
	dist/StrikeDesk/strikedesk-cli --smoke

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
