#!/usr/bin/env bash
# Installs the real Task Master CLI (npm task-master-ai) that tests run beside our server
# and compare our verbs with, into the git-ignored .tools/task-master. It is 1.4 GB of
# dependencies, so it is never a workspace dependency and never slows `pnpm install`.
# Idempotent: skipped when the pinned version is already there. Install scripts are not
# run (nothing may download binaries); Task Master's CLI needs none of them.
set -euo pipefail
cd "$(dirname "$0")/.."

TASK_MASTER_VERSION=0.43.1
TOOLS_DIR="$PWD/.tools/task-master"

installed_version=""
if [ -f "$TOOLS_DIR/node_modules/task-master-ai/package.json" ]; then
  installed_version="$(node -p "require('$TOOLS_DIR/node_modules/task-master-ai/package.json').version")"
fi
if [ "$installed_version" != "$TASK_MASTER_VERSION" ]; then
  echo "task-master-setup: installing task-master-ai $TASK_MASTER_VERSION into .tools/task-master"
  mkdir -p "$TOOLS_DIR"
  # Some of its dependencies declare node >= 22 for code paths the CLI's task verbs never reach.
  npm install --prefix "$TOOLS_DIR" --ignore-scripts --no-audit --no-fund --loglevel=error --engine-strict=false \
    "task-master-ai@$TASK_MASTER_VERSION"
fi
echo "task-master-setup: task-master-ai $TASK_MASTER_VERSION ready"
