# Everything a developer or CI runs goes through here; nothing is installed by hand.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= kg-out

.PHONY: demo install install-test browser test train train-check bench fuzz clean

demo: install  ## build the graph from seeds/ and print who supports which county
	$(BIN)/kg build seeds/ -o $(OUT)
	$(BIN)/kg ask supports -g $(OUT)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test,bench,train]'

browser:  ## headless Chromium and CJK fonts for the HTML export tests (Debian)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "warning: chromium missing and not root; browser tests will be skipped"; fi; }

# Test files are spread over this many processes (pytest-xdist; one file stays in one process, so a
# module's fixtures are made once).
TEST_JOBS ?= 2

test: install-test browser  ## the default test run (well under 10 minutes)
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadfile

train: install-test  ## retrain the partnership scorer from the gold in the repo (loaders/models/); prints its validation
	$(BIN)/python -m loaders.train

train-check: install-test  ## retrain from scratch and check the shipped model file byte for byte (4-5 min)
	KG_TRAIN_CHECK=1 $(BIN)/python -m pytest -q tests/loaders/test_train.py

bench: install-test  ## benchmarks at 1k and 10k (BENCH_FULL=1: also 100k, ~1 hour); bench/out/report.md, docs/scale.md
	BENCH_FULL=$(BENCH_FULL) $(BIN)/python bench/run.py --docs docs/scale.md

fuzz: install-test  ## long fuzz run of reader, cleaner and extractor (outside CI)
	$(BIN)/python bench/fuzz.py --count 100000

clean:
	rm -rf $(OUT) .pytest_cache build dist *.egg-info
