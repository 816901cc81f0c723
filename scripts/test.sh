#!/usr/bin/env bash
# `npm test`: installs what a fresh machine lacks, then runs every test. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

section() { printf '\n=== %s ===\n' "$*"; }

section "setup"
bash scripts/setup.sh

section "rust: format, lints, host unit tests"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo test
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps

section "fake Jira"
node --test tests/fake-jira/

section "build pkg/"
SKIP_SETUP=1 node scripts/build.mjs

section "packed package: Node ESM/CJS, Chromium page, TypeScript, publint and attw, the file list"
node --test tests/integration/ tests/types/ tests/package/

section "hostile callers: each case in its own Node process (crashes, secrets, hangs, iterators)"
node --test tests/hostile/

section "lifecycle end to end in Node: sync exactly once, verified deliveries, retries, replay"
node --test tests/lifecycle/

section "runtimes: worker, Vite, esbuild edge, workerd, Deno; Connect JWT, OAuth, Forge"
node --test tests/runtimes/

section "resilience: faults, retries, pagination, load and memory"
node --test tests/resilience/

section "demo admin page end to end"
node --test tests/e2e/
