// Preloaded into a benchmark server (HEAP_REPORT_FLAGS of harness.mjs, read back by its
// heapReport; rss-over-time.mjs and overhead.bench.mjs use it): on SIGUSR2 it writes one
// line to stderr, `HEAP <json>`, with the process's RSS, the size V8 holds for each heap space and
// the part of each that is resident, and the kernel's split of the RSS into anonymous and
// file-backed pages, so the RSS of a running server can be split into its young generation, the
// rest of V8's heap, native memory outside it (malloc: buffers' backing stores, compiler zones,
// Node's own structures) and the pages of the node binary and libraries it touched.
import { readFileSync } from 'node:fs'
import v8 from 'node:v8'

/** RssAnon and RssFile of /proc/self/status, in bytes (undefined where /proc is missing). */
function residentKinds() {
  try {
    const status = readFileSync('/proc/self/status', 'utf8')
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024
    return { anon: kb('RssAnon'), file: kb('RssFile') }
  } catch {
    return {}
  }
}

process.on('SIGUSR2', () => {
  const spaces = {}
  const resident = {}
  for (const space of v8.getHeapSpaceStatistics()) {
    spaces[space.space_name] = space.space_size
    resident[space.space_name] = space.physical_space_size
  }
  const { rss } = process.memoryUsage()
  process.stderr.write(`HEAP ${JSON.stringify({ rss, spaces, resident, ...residentKinds() })}\n`)
})
