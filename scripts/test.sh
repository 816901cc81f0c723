#!/usr/bin/env bash
# `npm test`: installs what a fresh machine lacks, then runs every test. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# Each section's wall time is printed when it ends, and all of them (with the total) when the script exits,
# passed or failed. EPOCHREALTIME (bash 5) is "seconds.microseconds"; its separator follows the locale.
now_us() { local t=${EPOCHREALTIME:-}; t=${t/[.,]/}; echo "${t:-$(($(date +%s) * 1000000))}"; }
seconds() { local d=$(($2 - $1 + 50000)); printf '%d.%d' $((d / 1000000)) $((d / 100000 % 10)); }
START=$(now_us) CURRENT="" SECTION_START="" TIMES=""
end_section() {
  [ -n "$CURRENT" ] || return 0
  local s; s=$(seconds "$SECTION_START" "$(now_us)")
  printf '=== %s (%s s) ===\n' "$CURRENT" "$s"
  TIMES+=$(printf '%8s s  %s%s' "$s" "$CURRENT" "${1:-}")$'\n'
  CURRENT=""
}
section() {
  end_section
  CURRENT="$*" SECTION_START=$(now_us)
  printf '\n=== %s ===\n' "$CURRENT"
}
summary() {
  local status=$?
  if [ "$status" -ne 0 ]; then end_section "  (failed)"; else end_section; fi
  printf '\n=== times ===\n%s%8s s  total%s\n' "$TIMES" "$(seconds "$START" "$(now_us)")" "$([ "$status" -eq 0 ] || echo ", failed")"
}
trap summary EXIT

section "setup"
bash scripts/setup.sh

section "rust: format, lints, host unit tests"
cargo fmt --check
for features in "" "--no-default-features"; do # the lifecycle build, and the client alone
  cargo clippy --all-targets $features -- -D warnings
  cargo clippy --target wasm32-unknown-unknown --all-targets $features -- -D warnings
done
cargo test
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps

section "fake Jira"
node --test packages/fake-jira/test/

section "build pkg/"
SKIP_SETUP=1 node scripts/build.mjs

section "packed package: Node ESM/CJS, Chromium page, TypeScript, publint and attw, the file list, the README's examples; the testing kit (Node, Deno, workerd, Chromium) and docs/testing.md's examples"
node --test tests/integration/ tests/types/ tests/package/ tests/readme/ tests/testing/

section "hostile callers: each case in its own Node process (crashes, secrets, hangs, iterators); the client's hooks (events, secrets, hostile hooks, misspelled members)"
node --test tests/hostile/ tests/hooks/

section "lifecycle end to end in Node and workerd: sync exactly once, deliveries at once (claims, failures, two sites, replay, raw bytes, 20 MB)"
node --test tests/lifecycle/ tests/oauth/

section "runtimes: worker, Vite, esbuild edge, workerd, Deno; Connect JWT, OAuth, Forge"
node --test tests/runtimes/

section "fleet: a Connect app and an OAuth 2.0 integration on Cloudflare Workers in Miniflare (examples/)"
node --test --test-concurrency=2 tests/fleet/ # two files, mostly waiting on timers: side by side

section "resilience: faults, retries, pagination, load and memory"
node --test tests/resilience/

section "demo admin page end to end"
node --test tests/e2e/
