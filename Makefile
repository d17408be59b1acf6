# letterforge: `make demo` builds the example letters, `make test` runs every check.
# Both create .venv on first use and install pinned dependencies from constraints.txt.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# HarfBuzz's subsetter makes font embedding about ten times faster, and Caladea is the theme's
# font (metric-compatible with Cambria, so Word and the PDF break lines alike). The tests also
# open every DOCX in LibreOffice, read PDFs with poppler, and load the review page in Chromium.
RUNTIME_PACKAGES := libharfbuzz-subset0 fonts-crosextra-caladea
TEST_PACKAGES := libreoffice-writer-nogui poppler-utils fonts-dejavu-core chromium chromium-driver

.PHONY: demo test lint bench picture system-deps test-deps constraints clean

demo: $(VENV)/.runtime system-deps
	$(BIN)/letterforge build

test: $(VENV)/.test test-deps lint
	$(BIN)/pytest -n auto

lint: $(VENV)/.test
	$(BIN)/ruff check letterforge tests benchmarks
	$(BIN)/ruff format --check letterforge tests benchmarks
	$(BIN)/mypy

# The batch benchmark (benchmarks/README.md): about 20 minutes on two cores.
bench: $(VENV)/.runtime system-deps
	$(BIN)/python -m benchmarks.bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	touch $@

$(VENV)/.test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@ $(VENV)/.runtime

# The README's picture: the first page of the example letter, drawn from its PDF by poppler.
picture: $(VENV)/.runtime test-deps
	$(BIN)/letterforge build essential-services-2020 --only romo --lang en --format pdf -q
	pdftoppm -png -r 90 -f 1 -l 1 -singlefile build/essential-services-2020/en/romo.pdf docs/example-letter

system-deps:
	@sh scripts/system-deps.sh $(RUNTIME_PACKAGES)

test-deps:
	@sh scripts/system-deps.sh $(RUNTIME_PACKAGES) $(TEST_PACKAGES)

# Re-pin every dependency to the newest versions allowed by pyproject.toml.
constraints:
	rm -rf .venv-pin && $(PYTHON) -m venv .venv-pin
	.venv-pin/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	.venv-pin/bin/pip freeze --exclude letterforge > constraints.txt
	rm -rf .venv-pin

clean:
	rm -rf build $(VENV) .pytest_cache .mypy_cache .ruff_cache
