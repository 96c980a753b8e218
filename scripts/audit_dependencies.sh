#!/usr/bin/env bash
# Known vulnerabilities in the pinned runtime requirements (pip-audit, PyPI's advisory data).
# Fails on any known vulnerability; an unreachable advisory service is reported, not hidden,
# but does not fail the build (the packages themselves were installed from the same index).
set -uo pipefail
cd "$(dirname "$0")/.."
output=$(.venv/bin/pip-audit -r requirements.txt --progress-spinner off 2>&1)
status=$?
echo "$output" | grep -v "Dependency not found on PyPI" | tail -20
if [ $status -eq 0 ]; then
  exit 0
fi
if echo "$output" | grep -qE "ConnectionError|NameResolutionError|Max retries exceeded"; then
  echo "pip-audit: the advisory service could not be reached; dependencies NOT audited in this run" >&2
  exit 0
fi
exit $status
