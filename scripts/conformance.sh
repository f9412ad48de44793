#!/usr/bin/env bash
# Runs the OCI distribution-spec conformance suite (default configuration,
# version 1.1) twice in one go: against `openacr serve` through a token whose
# scope map grants all five actions on conformance/*, and against stock
# distribution v3.1.2 without auth as the baseline. Prints the skipped and
# disabled tests with the suite's reason and one summary line per run
# (passed, failed, skipped, disabled of total), and fails if openacr fails
# any test.
#
#   scripts/conformance.sh            # both runs; any openacr failure fails
#   STRICT=0 scripts/conformance.sh   # fail only on tests stock distribution passes
#   LIST=1 scripts/conformance.sh     # also list the failing tests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

echo "== building openacr, stock distribution and the conformance suite"
go build -o "$work/openacr" ./cmd/openacr
(cd conformance && go build -o "$work/oci-conformance" github.com/opencontainers/distribution-spec/conformance &&
	go build -o "$work/registry" github.com/distribution/distribution/v3/cmd/registry &&
	go build -o "$work/summarize" ./summarize)

wait_for() { # file
	for _ in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done
	echo "timed out waiting for $1" >&2; return 1
}

run_suite() { # name registry-host username password
	mkdir -p "$work/$1"
	(cd "$work/$1" &&
		OCI_REGISTRY="$2" OCI_TLS=disabled OCI_VERSION=1.1 \
		OCI_REPO1=conformance/repo1 OCI_REPO2=conformance/repo2 \
		OCI_USERNAME="$3" OCI_PASSWORD="$4" OCI_RESULTS_DIR="$work/$1/results" \
		"$work/oci-conformance" >"$work/$1/report.txt" 2>&1) || true
	if [ ! -s "$work/$1/results/junit.xml" ]; then
		echo "the conformance suite produced no results for $1:" >&2
		tail -50 "$work/$1/report.txt" >&2
		return 1
	fi
}

echo "== stock distribution v3.1.2, no auth"
port=$((20000 + RANDOM % 20000))
cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $work/stock}
  delete: {enabled: true}
http: {addr: 127.0.0.1:$port}
YAML
"$work/registry" serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
run_suite run-stock "127.0.0.1:$port" "" ""

echo "== openacr serve, token auth"
export OPENACR_DATA="$work/data" OPENACR_SERVER= OPENACR_ADMIN_KEY=
"$work/openacr" serve --data "$work/data" --addr 127.0.0.1:0 --log-level warn >"$work/serve.out" 2>"$work/serve.log" &
pids+=($!)
wait_for "$work/data/endpoint"
host=$(sed 's#^http://##' "$work/data/endpoint")
password=$("$work/openacr" token create -n conformance -r myregistry \
	--repository 'conformance/*' content/read content/write content/delete metadata/read metadata/write \
	--query 'credentials.passwords[0].value' -o tsv)
run_suite run-openacr "$host" conformance "$password"

flags=(-baseline "$work/run-stock/results/junit.xml" -skips)
[ "${STRICT:-1}" = 1 ] && flags+=(-strict)
[ -n "${LIST:-}" ] && flags+=(-list)
"$work/summarize" "${flags[@]}" "$work/run-openacr/results/junit.xml"
