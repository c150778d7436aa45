if [ ! -x "$RUNNER_DIR/run.sh" ]; then
  mkdir -p "$RUNNER_DIR"
  curl -fsSL --retry 5 "https://github.com/actions/runner/releases/download/v{{runnerVersion}}/actions-runner-linux-${ARCH}-{{runnerVersion}}.tar.gz" \
    | tar -xz -C "$RUNNER_DIR"
  "$RUNNER_DIR/bin/installdependencies.sh" || true
fi
chown -R runner "$RUNNER_DIR"
cd "$RUNNER_DIR"
# The runner reads --jitconfig from ACTIONS_RUNNER_INPUT_JITCONFIG: the credential stays off every command line.
export ACTIONS_RUNNER_INPUT_JITCONFIG="$CREDENTIAL"
unset CREDENTIAL
sudo --preserve-env=ACTIONS_RUNNER_INPUT_JITCONFIG -u runner ./run.sh || true
