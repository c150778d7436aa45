if ! command -v gitlab-runner >/dev/null 2>&1; then
  case "$ARCH" in x64) GL_ARCH=amd64 ;; *) GL_ARCH=arm64 ;; esac
  curl -fsSL --retry 5 -o /usr/local/bin/gitlab-runner "https://gitlab-runner-downloads.s3.amazonaws.com/latest/binaries/gitlab-runner-linux-${GL_ARCH}"
  chmod +x /usr/local/bin/gitlab-runner
fi
mkdir -p "$RUNNER_DIR" && chown -R runner "$RUNNER_DIR"
cd "$RUNNER_DIR"
# run-single reads --url and --token from CI_SERVER_URL and CI_SERVER_TOKEN: the token stays off every command line.
export CI_SERVER_URL='{{forgeUrl}}'
export CI_SERVER_TOKEN="$CREDENTIAL"
unset CREDENTIAL
sudo --preserve-env=CI_SERVER_URL,CI_SERVER_TOKEN -u runner gitlab-runner run-single \
  --name "$RUNNER_NAME" --executor shell --builds-dir "$RUNNER_DIR/builds" --max-builds 1 --wait-timeout 900 || true
