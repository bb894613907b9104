#!/bin/sh
# Builds @otelkit/node into a fresh folder and swaps it in at the end, so a process started
# during a build (a test's preloaded fixture, a running example) never loads a half-built dist.
set -e
next="dist.next.$$"
rm -rf "$next"
# A failed build leaves nothing behind (after a good one, $next is already dist).
trap 'rm -rf "$next"' EXIT
tsc -p tsconfig.build.json --outDir "$next"
node scripts/bundle.mjs "$next"
old="dist.old.$$"
if [ -d dist ]; then mv dist "$old"; fi
mv "$next" dist
rm -rf "$old"
