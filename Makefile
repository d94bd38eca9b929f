# Podium: `make run` serves the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
WORKERS ?= 2
# Links in mails, QR codes and calendar files point here: the port `make run` serves, unless set.
BASE_URL ?= http://127.0.0.1:$(PORT)
# Test processes (pytest-xdist): one per core by default; TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= auto
export FLASK_APP := wsgi

.PHONY: run test fuzz install install-dev system-libs translations messages bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the requirements change.
$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: system-libs $(VENV)/.installed translations
install-dev: system-libs $(VENV)/.installed-dev translations

# WeasyPrint (the report's PDF) draws text with Pango, subsets fonts with HarfBuzz, and needs a font: Debian's packages, installed
# once when missing (as root; otherwise the command to run is printed).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
system-libs:
	@if ! ldconfig -p | grep -q libpangoft2-1.0 || ! ldconfig -p | grep -q libharfbuzz-subset || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
		else echo "The PDF report needs: sudo apt-get install $(PDF_PACKAGES)"; exit 1; fi; \
	fi

# Compiled catalogs are build output (not committed).
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations

run: install
	$(BIN)/flask db upgrade
	BASE_URL=$(BASE_URL) $(BIN)/flask demo
	@echo "Podium is at http://127.0.0.1:$(PORT)/  (staff: http://127.0.0.1:$(PORT)/staff/login)"
	BASE_URL=$(BASE_URL) $(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) --workers $(WORKERS) wsgi:app

test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Not part of `make test` (which tries 60 cases per target): 10,000 fresh cases per target of
# tests/test_fuzz.py, each run new ones (FUZZ_RANDOM). FUZZ_EXAMPLES=... to choose.
FUZZ_EXAMPLES ?= 10000
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) tests/test_fuzz.py $(PYTEST_ARGS)

# After changing user-facing strings: refresh the catalogs, translate, commit the .po files.
# German has every string (babel.cfg); the other guest languages those guests read (babel-guest.cfg).
KEYWORDS := -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k _lp:1c,2 -k lazy_ngettext:1,2 -k _ln:1,2
GUEST_LOCALES := ar fa uk
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg $(KEYWORDS) -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel -q extract -F babel-guest.cfg $(KEYWORDS) -o translations/guest.pot --no-location --sort-output .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations -l de --no-fuzzy-matching
	for locale in $(GUEST_LOCALES); do \
		$(BIN)/pybabel -q update -i translations/guest.pot -d translations -l $$locale --no-fuzzy-matching || exit 1; \
	done

# Not part of `make test`. BENCH_DATABASE_URL=postgresql+psycopg://... adds a PostgreSQL run.
bench: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench

# Every page on a phone and a desktop, as PNGs in $(SCREENSHOTS)/ (index.html shows them side by side),
# and the guest's path in every guest language in $(SCREENSHOTS)/<language>/,
# for review of any change to the pages. Debian's Chromium; Playwright cannot download a browser here.
SCREENSHOTS ?= screenshots
screenshots: install-dev
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/python -m tests.browser.screenshots $(SCREENSHOTS)

clean:
	rm -rf $(VENV) instance .pytest_cache
