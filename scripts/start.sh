#!/usr/bin/env bash
# `npm start`: installs what is missing, builds pkg/, then serves the demo admin page against the fake Jira
# (or, with JIRA_BASE_URL and credentials in the environment, against a real site through a local proxy).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
SKIP_SETUP=1 node scripts/build.mjs
exec node scripts/start.mjs
