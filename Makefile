# The two commands of the README:
#   make demo   build and run the app with the local monday/ActivTrak sandbox
#   make test   run every test (Rust unit, storage on SQLite and PostgreSQL,
#               HTTP, and end-to-end in Chromium)

SHELL := /bin/bash
# wasm-opt comes from npm's binaryen package; cargo tools from ~/.cargo/bin.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: demo test tools test-tools build-release build-debug test-rust test-e2e clean

tools:
	scripts/install-tools.sh

test-tools:
	scripts/install-tools.sh --test

build-release: tools
	cargo leptos build --release
	cargo build --release --features ssr,sandbox --bin sandbox

build-debug: tools
	cargo leptos build
	cargo build --features ssr,sandbox --bin sandbox

demo: build-release
	scripts/demo.sh

test: test-tools
	$(MAKE) test-rust
	$(MAKE) test-e2e

test-rust:
	cargo test --features ssr,sandbox

test-e2e: build-debug
	cd end2end && npx playwright test

clean:
	cargo clean
	rm -rf data end2end/.data end2end/test-results
