#!/bin/bash
# Drover runner bootstrap for drover-linux-x64-7f3a (pool linux-x64), rendered by the ec2 provider.
# No secret is written here: DROVER_TOKEN is a one-time token, worthless once used, once its runner is gone
# and 15 minutes after launch. The runner's credential is fetched from Drover and never written to disk.
set -euo pipefail
DROVER_URL='https://drover.example.com/'
DROVER_TOKEN='tok_ONE-TIME_abc123'
RUNNER_NAME='drover-linux-x64-7f3a'
RUNNER_DIR='/opt/actions-runner'
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
if [ ! -x "$RUNNER_DIR/run.sh" ]; then
  mkdir -p "$RUNNER_DIR"
  curl -fsSL --retry 5 "https://github.com/actions/runner/releases/download/v2.329.0/actions-runner-linux-${ARCH}-2.329.0.tar.gz" \
    | tar -xz -C "$RUNNER_DIR"
  "$RUNNER_DIR/bin/installdependencies.sh" || true
fi
chown -R runner "$RUNNER_DIR"
cd "$RUNNER_DIR"
# The runner reads --jitconfig from ACTIONS_RUNNER_INPUT_JITCONFIG: the credential stays off every command line.
export ACTIONS_RUNNER_INPUT_JITCONFIG="$CREDENTIAL"
unset CREDENTIAL
sudo --preserve-env=ACTIONS_RUNNER_INPUT_JITCONFIG -u runner ./run.sh || true