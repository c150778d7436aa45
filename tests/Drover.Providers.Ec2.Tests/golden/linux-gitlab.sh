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
if ! command -v gitlab-runner >/dev/null 2>&1; then
  case "$ARCH" in x64) GL_ARCH=amd64 ;; *) GL_ARCH=arm64 ;; esac
  curl -fsSL --retry 5 -o /usr/local/bin/gitlab-runner "https://gitlab-runner-downloads.s3.amazonaws.com/latest/binaries/gitlab-runner-linux-${GL_ARCH}"
  chmod +x /usr/local/bin/gitlab-runner
fi
mkdir -p "$RUNNER_DIR" && chown -R runner "$RUNNER_DIR"
cd "$RUNNER_DIR"
# run-single reads --url and --token from CI_SERVER_URL and CI_SERVER_TOKEN: the token stays off every command line.
export CI_SERVER_URL='https://gitlab.example.com'
export CI_SERVER_TOKEN="$CREDENTIAL"
unset CREDENTIAL
sudo --preserve-env=CI_SERVER_URL,CI_SERVER_TOKEN -u runner gitlab-runner run-single \
  --name "$RUNNER_NAME" --executor shell --builds-dir "$RUNNER_DIR/builds" --max-builds 1 --wait-timeout 900 || true