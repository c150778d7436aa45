#!/usr/bin/env bash
# Runs every Drover test: builds the solution once, runs each test project, and prints one summary line.
# Installs what the tests need when it is missing. Under CI=true, tests that need ../shared must run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

# The state store tests start a throw-away PostgreSQL server from the Debian package.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test.sh: installing PostgreSQL (Debian package postgresql)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
  else
    echo "test.sh: PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are missing;" \
         "install the Debian package 'postgresql' (PostgreSQL tests skip, or fail under CI=true)" >&2
  fi
fi

# The metrics test checks the exposition with Prometheus' own promtool.
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test.sh: installing promtool (Debian package prometheus)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus
  else
    echo "test.sh: promtool is missing; install the Debian package 'prometheus' (its test skips, or fails under CI=true)" >&2
  fi
fi

# The dashboard test drives the Debian Chromium through Playwright (no browser download).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test.sh: installing Chromium (Debian package chromium)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "test.sh: /usr/bin/chromium is missing; install the Debian package 'chromium' (its test skips, or fails under CI=true)" >&2
  fi
fi

# The deployment tests build the kustomize overlays with kubectl, which the machine image ships.
if ! command -v kubectl >/dev/null 2>&1; then
  echo "test.sh: kubectl is missing; the deployment tests skip (or fail under CI=true)" >&2
fi

dotnet build Drover.sln -c Release -nologo -clp:ErrorsOnly

rc=0
for proj in tests/*.Tests/*.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  dotnet test "$proj" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" || rc=1
done

# One closing line for the whole run, summed over every project's TRX file.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    if c is None:
        continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)); s += int(c.get("notExecuted", 0))
print(f"tests: {p} passed, {f} failed, {s} skipped")
PY
exit $rc
