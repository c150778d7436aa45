#!/bin/bash
# Drover runner bootstrap for {{runnerName}} (pool {{pool}}), rendered by the ec2 provider.
# No secret is written here: DROVER_TOKEN is a one-time token, worthless once used, once its runner is gone
# and {{validity}} after launch. The runner's credential is fetched from Drover and never written to disk.
set -euo pipefail
DROVER_URL='{{droverUrl}}'
DROVER_TOKEN='{{token}}'
RUNNER_NAME='{{runnerName}}'
RUNNER_DIR='{{runnerDir}}'
# One job per instance: whatever happens below, the instance shuts down (and terminates) at the end.
trap 'shutdown -h now' EXIT

# curl retries a follower's 503 (and connection errors while Drover restarts); a refused token (401) ends the boot.
answer="$(printf 'Authorization: Bearer %s\n' "$DROVER_TOKEN" \
  | curl -fsS --retry 60 --retry-connrefused --retry-delay 5 --max-time 30 -H @- "${DROVER_URL%/}/api/v1/bootstrap/credential")"
unset DROVER_TOKEN
CREDENTIAL="$(printf '%s' "$answer" | python3 -c 'import json, sys; print(json.load(sys.stdin)["credential"])')"
unset answer
id runner >/dev/null 2>&1 || useradd --create-home --shell /bin/bash runner
case "$(uname -m)" in aarch64) ARCH=arm64 ;; *) ARCH=x64 ;; esac
{{runner}}
