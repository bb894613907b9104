#!/usr/bin/env bash
# The otelkit observability stack without Docker: builds the programs that
# otel-collector/compose.yaml ships, at the versions it pins, from the Go module proxy (cached
# outside the repository), and runs them on 127.0.0.1 from the same config files compose mounts.
#
#   bash scripts/stack.sh build      build whatever is missing; prints `program path` per binary
#   bash scripts/stack.sh up         build what is missing, start every program, wait until each
#                                    health endpoint answers; a taken port is named with the
#                                    process holding it before anything starts; on a failure:
#                                    which program, the tail of its log, and everything this run
#                                    started is stopped. Programs already running are kept.
#   bash scripts/stack.sh down       stop every program `up` started, by PID; wait for its ports
#   bash scripts/stack.sh status     each program: running (pid, address, healthy or not) or stopped
#   bash scripts/stack.sh versions   `name version` per program: exactly the image tag compose pins
#   bash scripts/stack.sh config     write the generated native Prometheus config; print its path
#
# Programs (name = the compose service):
#   otel-collector  collector agent    OTLP 4317/4318, health 13133, own metrics 8888, span metrics 8889
#   otel-gateway    collector gateway  OTLP 4417/4418, routed spans 4319, health 13134, own metrics 8887
#   jaeger          Jaeger, in memory  UI and query API 16686 (gRPC 16685), OTLP 4327/4328 (from the
#                                      gateway), health 13135, own metrics 8886
#   prometheus      Prometheus         9090, the shipped rules, alerts to the Alertmanager below
#   alertmanager    Alertmanager       9093 (no cluster listener)
# Data flow: agent -> gateway (tail sampling) -> Jaeger; Prometheus scrapes the agent, Jaeger,
# Alertmanager, itself and a service's ops server on 127.0.0.1:$OTELKIT_OPS_PORT (default 9464).
#
# Every port is an environment variable (the same names the collector and Jaeger configs read;
# the defaults above apply when unset), so a second stack can run on other ports with its own
# OTELKIT_STACK_STATE:
#   OTELKIT_COLLECTOR_OTLP_GRPC_PORT OTELKIT_COLLECTOR_OTLP_HTTP_PORT OTELKIT_COLLECTOR_HEALTH_PORT
#   OTELKIT_COLLECTOR_METRICS_PORT OTELKIT_COLLECTOR_SPANMETRICS_PORT
#   OTELKIT_GATEWAY_OTLP_GRPC_PORT OTELKIT_GATEWAY_OTLP_HTTP_PORT OTELKIT_GATEWAY_SAMPLING_PORT
#   OTELKIT_GATEWAY_HEALTH_PORT OTELKIT_GATEWAY_METRICS_PORT
#   OTELKIT_JAEGER_UI_PORT OTELKIT_JAEGER_QUERY_GRPC_PORT OTELKIT_JAEGER_OTLP_GRPC_PORT
#   OTELKIT_JAEGER_OTLP_HTTP_PORT OTELKIT_JAEGER_HEALTH_PORT OTELKIT_JAEGER_METRICS_PORT
#   OTELKIT_PROMETHEUS_PORT OTELKIT_ALERTMANAGER_PORT OTELKIT_OPS_PORT (scraped, not started)
# Other settings:
#   OTELKIT_STACK_CACHE    built binaries, <program>-<version>/   (~/.cache/otelkit-stack)
#   OTELKIT_STACK_STATE    pids, logs, data, generated files      (~/.local/state/otelkit-stack)
#   OTELKIT_STACK_TIMEOUT  seconds `up` waits for health           (90)
#
# Prometheus cannot expand environment variables in its config file, so `up` runs it on a
# generated copy, $OTELKIT_STACK_STATE/prometheus/prometheus.yml: otel-collector/prometheus/
# prometheus.yml with each compose scrape or alerting target (host:port) replaced by its
# 127.0.0.1 address, and nothing else changed (tests/stack/native-stack.test.ts checks that);
# its rules/ is a link to otel-collector/prometheus/rules, so the relative rule_files resolve as
# they do under compose's /etc/prometheus.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${OTELKIT_STACK_CACHE:-$HOME/.cache/otelkit-stack}
STATE=${OTELKIT_STACK_STATE:-$HOME/.local/state/otelkit-stack}
TIMEOUT=${OTELKIT_STACK_TIMEOUT:-90}
CONF=$ROOT/otel-collector

# What compose.yaml pins (image tags) and the Go module each is built from. The Jaeger v2 binary
# (cmd/jaeger) is released from the module's v1.x line: v1.76.0 is Jaeger 2.13.0.
PROMETHEUS_TAG=v3.13.5 PROMETHEUS_MODULE=github.com/prometheus/prometheus@v0.313.5
ALERTMANAGER_TAG=v0.35.0 ALERTMANAGER_MODULE=github.com/prometheus/alertmanager@v0.35.0
JAEGER_TAG=2.13.0 JAEGER_MODULE=github.com/jaegertracing/jaeger@v1.76.0
# The collector: otelkit's own distribution (otel-collector/distribution, built by its build.sh)
# at the release of the otel/opentelemetry-collector-contrib image compose pins.
collector_tag() {
	sed -n 's/^[[:space:]]*\(const[[:space:]]\{1,\}\)\{0,1\}version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\2/p' \
		"$CONF/distribution/main.go" | head -n 1
}

say() { printf '[stack] %s\n' "$*" >&2; }
die() {
	printf '[stack] ERROR: %s\n' "$*" >&2
	exit 1
}

# ---------------------------------------------------------------------------------------------
# build

# go_build NAME TAG MODULE@VERSION LDFLAGS PACKAGE...: builds the packages of a module release
# into $CACHE/NAME-TAG/ (CGO off, -trimpath), inside a copy of the module's own source so its
# go.sum and replace directives apply exactly as in the upstream release build.
go_build() {
	local name=$1 tag=$2 module=$3 ldflags=$4
	shift 4
	local dir=$CACHE/$name-${tag#v} pkgs=("$@") bins=() p missing=
	for p in "${pkgs[@]}"; do bins+=("${p##*/}"); done
	for p in "${bins[@]}"; do [[ -x $dir/$p ]] || missing=1; done
	if [[ -n $missing ]]; then
		command -v go >/dev/null || die "Go is needed to build $name (go on PATH; the polyglot machines have it)"
		mkdir -p "$dir"
		exec 8>"$dir/.lock"
		flock 8 # one build at a time; a caller that waited finds the binaries built
		missing=
		for p in "${bins[@]}"; do [[ -x $dir/$p ]] || missing=1; done
	fi
	if [[ -n $missing ]]; then
		local log=$dir/build.log src tmp start=$SECONDS
		say "building $name $tag from $module (once; log: $log)"
		rm -rf "$dir"/.src.* # left by a build that was killed (this one holds the lock)
		: >"$log"
		src=$(go mod download -json "$module" 2>>"$log" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
		[[ -n $src ]] || {
			tail -n 20 "$log" >&2
			die "go mod download $module failed (log: $log)"
		}
		tmp=$(mktemp -d "$dir/.src.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		cp -r "$src/." "$tmp/src" && chmod -R u+w "$tmp/src"
		"prepare_$name" "$tmp/src"
		mkdir -p "$tmp/bin"
		if ! (cd "$tmp/src" && GOWORK=off CGO_ENABLED=0 go build -trimpath -tags netgo -ldflags "-s -w $ldflags" \
			-o "$tmp/bin/" "${pkgs[@]}") >>"$log" 2>&1; then
			rm -rf "$tmp"
			tail -n 20 "$log" >&2
			die "building $name failed (log: $log)"
		fi
		for p in "${bins[@]}"; do mv -f "$tmp/bin/$p" "$dir/$p"; done
		rm -rf "$tmp"
		trap - EXIT
		say "built $name $tag in $((SECONDS - start)) s: $dir ($(du -sh "$dir" | cut -f1))" 2>&1 | tee -a "$log" >&2
		exec 8>&-
	fi
	for p in "${bins[@]}"; do printf '%s %s\n' "$p" "$dir/$p"; done
}

# The release process generates the web UI bundles before `go build` (npm and Elm toolchains);
# the module source lacks them. Prometheus builds without its `builtinassets` tag (API only),
# Jaeger embeds its own placeholder page, and Alertmanager gets one here.
prepare_prometheus() { :; }
prepare_jaeger() { :; }
prepare_alertmanager() {
	local ui
	for ui in elm mantine; do
		mkdir -p "$1/ui/app/dist/$ui"
		printf '%s\n' '<!doctype html><title>Alertmanager</title><p>This build has no web UI; the API is at <a href="api/v2/status">api/v2/</a>.' \
			>"$1/ui/app/dist/$ui/index.html"
	done
}

# -X flags for github.com/prometheus/common/version, which would otherwise report no version.
prom_ldflags() {
	local v=github.com/prometheus/common/version
	printf -- '-X %s.Version=%s -X %s.Revision=%s -X %s.BuildUser=%s -X %s.BuildDate=%s' \
		"$v" "${1#v}" "$v" "${2#*@}" "$v" "$(id -un)@$(hostname)" "$v" "$(date -u +%Y%m%d-%H:%M:%S)"
}

build_prometheus() {
	go_build prometheus "$PROMETHEUS_TAG" "$PROMETHEUS_MODULE" "$(prom_ldflags "$PROMETHEUS_TAG" "$PROMETHEUS_MODULE")" \
		./cmd/prometheus ./cmd/promtool
}
build_alertmanager() {
	go_build alertmanager "$ALERTMANAGER_TAG" "$ALERTMANAGER_MODULE" \
		"$(prom_ldflags "$ALERTMANAGER_TAG" "$ALERTMANAGER_MODULE")" ./cmd/alertmanager ./cmd/amtool
}
build_jaeger() {
	local v=github.com/jaegertracing/jaeger/internal/version
	go_build jaeger "$JAEGER_TAG" "$JAEGER_MODULE" \
		"-X $v.latestVersion=v${JAEGER_TAG#v} -X $v.commitSHA=${JAEGER_MODULE#*@} -X $v.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		./cmd/jaeger
}
build_collector() {
	local bin
	bin=$(bash "$CONF/distribution/build.sh" | tail -n 1) || die "building the collector failed (bash otel-collector/distribution/build.sh)"
	[[ -x $bin ]] || die "otel-collector/distribution/build.sh printed no binary path (got '$bin')"
	printf '%s %s\n' "${bin##*/}" "$bin"
}

# Prints `program path` for every binary, building what is missing.
build_all() {
	build_collector
	build_prometheus
	build_alertmanager
	build_jaeger
}

cmd_build() {
	local p
	[[ $# -gt 0 ]] || set -- collector prometheus alertmanager jaeger
	for p in "$@"; do
		case "$p" in
		collector | otel-collector | otelcol-otelkit) build_collector ;;
		prometheus | promtool) build_prometheus ;;
		alertmanager | amtool) build_alertmanager ;;
		jaeger) build_jaeger ;;
		*) die "unknown program '$p' (known: collector prometheus alertmanager jaeger)" ;;
		esac
	done
}


# ---------------------------------------------------------------------------------------------
# ports and the environment the configs read

PORT_VARS=(
	OTELKIT_COLLECTOR_OTLP_GRPC_PORT=4317 OTELKIT_COLLECTOR_OTLP_HTTP_PORT=4318
	OTELKIT_COLLECTOR_HEALTH_PORT=13133 OTELKIT_COLLECTOR_METRICS_PORT=8888
	OTELKIT_COLLECTOR_SPANMETRICS_PORT=8889
	OTELKIT_GATEWAY_OTLP_GRPC_PORT=4417 OTELKIT_GATEWAY_OTLP_HTTP_PORT=4418
	OTELKIT_GATEWAY_SAMPLING_PORT=4319 OTELKIT_GATEWAY_HEALTH_PORT=13134 OTELKIT_GATEWAY_METRICS_PORT=8887
	OTELKIT_JAEGER_UI_PORT=16686 OTELKIT_JAEGER_QUERY_GRPC_PORT=16685
	OTELKIT_JAEGER_OTLP_GRPC_PORT=4327 OTELKIT_JAEGER_OTLP_HTTP_PORT=4328
	OTELKIT_JAEGER_HEALTH_PORT=13135 OTELKIT_JAEGER_METRICS_PORT=8886
	OTELKIT_PROMETHEUS_PORT=9090 OTELKIT_ALERTMANAGER_PORT=9093 OTELKIT_OPS_PORT=9464
)

# Applies the defaults, checks every port is a number and used once, and exports what the
# collector and Jaeger configs read (their ${env:...} references), set for 127.0.0.1.
setup_env() {
	local kv name seen=" "
	for kv in "${PORT_VARS[@]}"; do
		name=${kv%%=*}
		[[ -n ${!name:-} ]] || printf -v "$name" '%s' "${kv#*=}"
		[[ ${!name} =~ ^[0-9]+$ && ${!name} -ge 1 && ${!name} -le 65535 ]] || die "$name=${!name} is not a port number"
		[[ $seen != *" ${!name} "* ]] || die "$name=${!name}: that port is already given to another program"
		seen+="${!name} "
		export "${name?}"
	done
	export OTELKIT_COLLECTOR_LISTEN_HOST=127.0.0.1 OTELKIT_GATEWAY_LISTEN_HOST=127.0.0.1 OTELKIT_JAEGER_LISTEN_HOST=127.0.0.1
	# agent -> gateway -> Jaeger; pushed metrics -> Prometheus's OTLP receiver.
	export OTELKIT_TRACES_ENDPOINT=127.0.0.1:$OTELKIT_GATEWAY_OTLP_GRPC_PORT
	export OTELKIT_JAEGER_OTLP_ENDPOINT=127.0.0.1:$OTELKIT_JAEGER_OTLP_GRPC_PORT
	export OTELKIT_PROMETHEUS_ADDRESS=127.0.0.1:$OTELKIT_PROMETHEUS_PORT
	# A one-member gateway pool; an address, not `localhost`, which may also resolve to ::1.
	export OTELKIT_GATEWAY_POOL_HOSTNAME=127.0.0.1
	export OTELKIT_COLLECTOR_QUEUE_DIR=$STATE/otel-collector/queue OTELKIT_GATEWAY_QUEUE_DIR=$STATE/otel-gateway/queue
}

# Programs in start order (stopped in reverse).
PROGRAMS=(jaeger alertmanager prometheus otel-gateway otel-collector)

ports_of() {
	case $1 in
	otel-collector) echo "$OTELKIT_COLLECTOR_OTLP_GRPC_PORT $OTELKIT_COLLECTOR_OTLP_HTTP_PORT $OTELKIT_COLLECTOR_HEALTH_PORT $OTELKIT_COLLECTOR_METRICS_PORT $OTELKIT_COLLECTOR_SPANMETRICS_PORT" ;;
	otel-gateway) echo "$OTELKIT_GATEWAY_OTLP_GRPC_PORT $OTELKIT_GATEWAY_OTLP_HTTP_PORT $OTELKIT_GATEWAY_SAMPLING_PORT $OTELKIT_GATEWAY_HEALTH_PORT $OTELKIT_GATEWAY_METRICS_PORT" ;;
	jaeger) echo "$OTELKIT_JAEGER_UI_PORT $OTELKIT_JAEGER_QUERY_GRPC_PORT $OTELKIT_JAEGER_OTLP_GRPC_PORT $OTELKIT_JAEGER_OTLP_HTTP_PORT $OTELKIT_JAEGER_HEALTH_PORT $OTELKIT_JAEGER_METRICS_PORT" ;;
	prometheus) echo "$OTELKIT_PROMETHEUS_PORT" ;;
	alertmanager) echo "$OTELKIT_ALERTMANAGER_PORT" ;;
	esac
}

# The URLs that answer 2xx once a program is ready.
health_of() {
	case $1 in
	otel-collector) echo "http://127.0.0.1:$OTELKIT_COLLECTOR_HEALTH_PORT/" ;;
	otel-gateway) echo "http://127.0.0.1:$OTELKIT_GATEWAY_HEALTH_PORT/" ;;
	jaeger) echo "http://127.0.0.1:$OTELKIT_JAEGER_HEALTH_PORT/status http://127.0.0.1:$OTELKIT_JAEGER_UI_PORT/api/services" ;;
	prometheus) echo "http://127.0.0.1:$OTELKIT_PROMETHEUS_PORT/-/ready" ;;
	alertmanager) echo "http://127.0.0.1:$OTELKIT_ALERTMANAGER_PORT/-/ready" ;;
	esac
}

# ---------------------------------------------------------------------------------------------
# processes

pid_file() { echo "$STATE/run/$1.pid"; }
log_file() { echo "$STATE/logs/$1.log"; }

# The PID of a program this script started, when that process still runs that binary.
running_pid() {
	local f pid bin
	f=$(pid_file "$1")
	[[ -f $f ]] || return 1
	read -r pid bin <"$f" || return 1
	[[ -n $pid && -d /proc/$pid && $(readlink "/proc/$pid/exe" 2>/dev/null) == "$bin" ]] || return 1
	echo "$pid"
}

answers() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

healthy() {
	local url
	for url in $(health_of "$1"); do answers "$url" || return 1; done
}

# Who listens on a TCP port (any address), e.g. `node (pid 1234)`; empty when nobody does.
port_holder() {
	if command -v ss >/dev/null; then
		ss -ltnpH "( sport = :$1 )" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n 1 || true
	elif (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
		echo "an unknown process (install iproute2 for ss to name it)"
	fi
}

STARTED=()

# stop_programs NAME...: SIGTERM to each that runs (all at once), SIGKILL to any still running
# 15 s later; waits until every one has exited, and removes their PID files.
stop_programs() {
	local name pid pids=() i
	for name in "$@"; do
		if pid=$(running_pid "$name"); then
			kill -TERM "$pid" 2>/dev/null || true
			pids+=("$pid")
		fi
	done
	for ((i = 0; i < 150; i++)); do
		local alive=()
		for pid in "${pids[@]}"; do [[ ! -d /proc/$pid ]] || alive+=("$pid"); done
		pids=("${alive[@]}")
		((${#pids[@]})) || break
		sleep 0.1
	done
	for pid in "${pids[@]}"; do
		say "pid $pid ($(readlink "/proc/$pid/exe" 2>/dev/null)) did not stop within 15 s of SIGTERM; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		while [[ -d /proc/$pid ]]; do sleep 0.1; done
	done
	for name in "$@"; do rm -f "$(pid_file "$name")"; done
}

stop_started() {
	((${#STARTED[@]} == 0)) || stop_programs "${STARTED[@]}"
	STARTED=()
}

# fail NAME REASON: names the program, shows its log's tail, stops what this run started.
fail() {
	local log
	log=$(log_file "$1")
	printf '[stack] ERROR: %s failed: %s (log: %s)\n' "$1" "$2" "$log" >&2
	if [[ -s $log ]]; then
		printf '[stack] last lines of %s:\n' "$log" >&2
		# This run's part of the log only (each start writes a ==== line first).
		awk '/^==== /{n=NR} {line[NR]=$0} END{for(i=(NR-25>n?NR-25:n);i<=NR;i++) if(i>0) print "    " line[i]}' "$log" >&2
	fi
	if ((${#STARTED[@]})); then
		say "stopping what this run started: ${STARTED[*]}"
		stop_started
	fi
	exit 1
}

# launch NAME [VAR=VALUE...] BINARY ARG...: starts a program in its own session (no terminal
# signal reaches it), with those variables set, logging to its log file; returns once the new
# process runs the binary (or has exited), so its PID file never names a shell.
launch() {
	local name=$1 envs=() bin pid log i
	shift
	while [[ $1 == *=* ]]; do
		envs+=("$1")
		shift
	done
	bin=$1
	shift
	log=$(log_file "$name")
	printf '\n==== %s: %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$bin" "$*" >>"$log"
	(
		((${#envs[@]} == 0)) || export "${envs[@]}"
		exec setsid "$bin" "$@" </dev/null >>"$log" 2>&1 8>&- 9>&-
	) &
	pid=$!
	printf '%s %s\n' "$pid" "$bin" >"$(pid_file "$name")"
	STARTED+=("$name")
	for ((i = 0; i < 100; i++)); do
		[[ -d /proc/$pid && $(readlink "/proc/$pid/exe" 2>/dev/null) != "$bin" ]] || break
		sleep 0.05
	done
}

# ---------------------------------------------------------------------------------------------
# the generated native Prometheus config

# otel-collector/prometheus/prometheus.yml with every compose target mapped to its native
# address; fails on a target it has no mapping for.
prometheus_config() {
	local dir=$STATE/prometheus src=$CONF/prometheus/prometheus.yml out unmapped
	out=$dir/prometheus.yml
	mkdir -p "$dir"
	sed -e "s|\"shop-api:9464\"|\"127.0.0.1:$OTELKIT_OPS_PORT\"|g" \
		-e "s|\"otel-collector:8888\"|\"127.0.0.1:$OTELKIT_COLLECTOR_METRICS_PORT\"|g" \
		-e "s|\"otel-collector:8889\"|\"127.0.0.1:$OTELKIT_COLLECTOR_SPANMETRICS_PORT\"|g" \
		-e "s|\"otel-gateway:8888\"|\"127.0.0.1:$OTELKIT_GATEWAY_METRICS_PORT\"|g" \
		-e "s|\"jaeger:8888\"|\"127.0.0.1:$OTELKIT_JAEGER_METRICS_PORT\"|g" \
		-e "s|\"alertmanager:9093\"|\"127.0.0.1:$OTELKIT_ALERTMANAGER_PORT\"|g" \
		-e "s|\"localhost:9090\"|\"127.0.0.1:$OTELKIT_PROMETHEUS_PORT\"|g" \
		"$src" >"$out.tmp"
	unmapped=$(grep -noE '"[A-Za-z0-9_.-]+:[0-9]+"' "$out.tmp" | grep -v '"127\.0\.0\.1:' || true)
	[[ -z $unmapped ]] || die "$src has targets scripts/stack.sh does not map to 127.0.0.1: $unmapped"
	mv -f "$out.tmp" "$out"
	ln -sfn "$CONF/prometheus/rules" "$dir/rules"
	echo "$out"
}

# ---------------------------------------------------------------------------------------------
# commands

declare -A BIN=()
load_bins() {
	local name path
	while read -r name path; do BIN[$name]=$path; done < <(build_all)
}

start_program() {
	case $1 in
	jaeger) launch jaeger "${BIN[jaeger]}" --config="$CONF/jaeger/jaeger.yaml" ;;
	alertmanager)
		mkdir -p "$STATE/alertmanager"
		launch alertmanager "${BIN[alertmanager]}" --config.file="$CONF/alertmanager/alertmanager.yml" \
			--storage.path="$STATE/alertmanager" --web.listen-address="127.0.0.1:$OTELKIT_ALERTMANAGER_PORT" \
			--cluster.listen-address=
		;;
	prometheus)
		local config
		config=$(prometheus_config)
		# The flags of compose.yaml's prometheus command, with native paths and address.
		launch prometheus "${BIN[prometheus]}" --config.file="$config" --storage.tsdb.path="$STATE/prometheus/data" \
			--storage.tsdb.retention.time=35d --web.enable-otlp-receiver --web.enable-lifecycle \
			--enable-feature=exemplar-storage --enable-feature=created-timestamp-zero-ingestion \
			--web.listen-address="127.0.0.1:$OTELKIT_PROMETHEUS_PORT"
		;;
	# GOMEMLIMIT as compose sets it for each collector.
	otel-gateway) launch otel-gateway GOMEMLIMIT=800MiB "${BIN[otelcol-otelkit]}" --config="$CONF/gateway.yaml" ;;
	otel-collector) launch otel-collector GOMEMLIMIT=400MiB "${BIN[otelcol-otelkit]}" --config="$CONF/otelcol.yaml" ;;
	esac
}

cmd_up() {
	local start=$SECONDS name pid port holder pending=() deadline
	command -v curl >/dev/null || die "curl is needed to check health endpoints (Debian package curl)"
	setup_env
	load_bins
	mkdir -p "$STATE/run" "$STATE/logs"
	trap 'say "interrupted"; stop_started; exit 130' INT TERM
	for name in "${PROGRAMS[@]}"; do
		if running_pid "$name" >/dev/null; then continue; fi
		for port in $(ports_of "$name"); do
			holder=$(port_holder "$port")
			[[ -z $holder ]] || die "$name cannot start: port 127.0.0.1:$port is taken by $holder (ss -ltnp 'sport = :$port'); stop it, or give $name other ports (see the header of scripts/stack.sh)"
		done
	done
	for name in "${PROGRAMS[@]}"; do
		if pid=$(running_pid "$name"); then
			say "$name already running (pid $pid)"
		else
			start_program "$name"
		fi
		pending+=("$name")
	done
	deadline=$((SECONDS + TIMEOUT))
	while ((${#pending[@]})); do
		local still=()
		for name in "${pending[@]}"; do
			running_pid "$name" >/dev/null || fail "$name" "exited during start-up"
			healthy "$name" || still+=("$name")
		done
		pending=("${still[@]}")
		((${#pending[@]})) || break
		if ((SECONDS >= deadline)); then
			name=${pending[0]}
			fail "$name" "no answer from $(health_of "$name") within $TIMEOUT s (OTELKIT_STACK_TIMEOUT)"
		fi
		sleep 0.2
	done
	trap - INT TERM
	say "up in $((SECONDS - start)) s (state: $STATE)"
	cmd_status
}

cmd_down() {
	local name port n running=()
	setup_env
	for name in "${PROGRAMS[@]}"; do
		if running_pid "$name" >/dev/null; then running+=("$name"); fi
	done
	if ((${#running[@]})); then
		stop_programs "${running[@]}"
		say "stopped ${running[*]}"
	else
		say "nothing running (state: $STATE)"
	fi
	for name in "${PROGRAMS[@]}"; do rm -f "$(pid_file "$name")"; done
	# Every port free (a process that was not ours still holding one is named).
	for name in "${PROGRAMS[@]}"; do
		for port in $(ports_of "$name"); do
			for ((n = 0; n < 50; n++)); do
				[[ -n $(port_holder "$port") ]] || break
				sleep 0.1
			done
			[[ -z $(port_holder "$port") ]] || say "port $port ($name) is still held by $(port_holder "$port"): not a process this script started"
		done
	done
}

cmd_status() {
	local name pid state all=0
	setup_env
	for name in "${PROGRAMS[@]}"; do
		if pid=$(running_pid "$name"); then
			if healthy "$name"; then state=healthy; else
				state="not answering"
				all=3
			fi
			printf '%-15s running  pid %-8s %-14s %s  (log: %s)\n' "$name" "$pid" "$state" "$(health_of "$name")" "$(log_file "$name")"
		else
			printf '%-15s stopped\n' "$name"
			all=3
		fi
	done
	return "$all"
}

cmd_versions() {
	local c
	c=$(collector_tag)
	[[ -n $c ]] || die "no collector version in $CONF/distribution/main.go"
	printf '%s %s\n' otel-collector "$c" otel-gateway "$c" prometheus "$PROMETHEUS_TAG" \
		alertmanager "$ALERTMANAGER_TAG" jaeger "$JAEGER_TAG"
}

cmd_config() {
	setup_env
	prometheus_config
}

case ${1:-} in
build) shift && cmd_build "$@" ;;
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
versions) cmd_versions ;;
config) cmd_config ;;
*) die "usage: bash scripts/stack.sh build [program...] | up | down | status | versions | config" ;;
esac
