#!/usr/bin/env bash
# Builds otelcol-otelkit (this folder's Go module) into a cache folder outside the repository
# and prints the binary's path as the last line of stdout; everything else goes to stderr.
# The binary is reused while go.mod, go.sum and the .go files are unchanged (their hash is kept
# beside it); any change rebuilds. Cache root: $OTELKIT_STACK_CACHE, else ~/.cache/otelkit-stack.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { printf 'otelcol-otelkit: %s\n' "$*" >&2; }
fail() {
	log "error: $*"
	exit 1
}

version=$(sed -n 's/^const version = "\(.*\)"$/\1/p' "$here/main.go")
[[ -n $version ]] || fail "no 'const version = \"...\"' in $here/main.go"
grep -q "go.opentelemetry.io/collector/otelcol v$version\$" "$here/go.mod" ||
	fail "main.go says version $version but go.mod does not require go.opentelemetry.io/collector/otelcol v$version"
command -v go >/dev/null || fail "the go command is not on PATH (Go $(sed -n 's/^go //p' "$here/go.mod") or newer is needed)"

dir="${OTELKIT_STACK_CACHE:-$HOME/.cache/otelkit-stack}/otelcol-otelkit-$version"
bin="$dir/otelcol-otelkit"
stamp="$dir/otelcol-otelkit.source-sha256"
flags=(-trimpath -ldflags='-s -w')
hash=$(
	cd "$here" && export LC_ALL=C
	{ printf '%s\n' "${flags[*]}" && cat go.mod go.sum ./*.go; } | sha256sum | cut -d' ' -f1
)

current() { [[ -x $bin && -f $stamp && $(<"$stamp") == "$hash" ]]; }

mkdir -p "$dir" || fail "cannot create $dir"
exec 9>"$dir/.lock"
flock 9 # one build at a time; a waiting caller then finds the binary built

if current; then
	log "cached: $bin"
else
	log "building $version into $dir (CGO off; the first build takes minutes)"
	start=$SECONDS
	tmp="$bin.tmp.$$"
	trap 'rm -f "$tmp"' EXIT
	(cd "$here" && CGO_ENABLED=0 go build "${flags[@]}" -o "$tmp" .) >&2 ||
		fail "go build failed in $here (output above)"
	"$tmp" --version >&2 || fail "the built binary does not run: $tmp"
	mv -f "$tmp" "$bin"
	printf '%s\n' "$hash" >"$stamp"
	log "built in $((SECONDS - start)) s: $bin ($(du -h "$bin" | cut -f1))"
fi
printf '%s\n' "$bin"
