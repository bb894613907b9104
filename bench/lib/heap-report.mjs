// Preloaded into a benchmark server (HEAP_REPORT_FLAGS of harness.mjs, read back by its
// heapReport; rss-over-time.mjs and overhead.bench.mjs use it): on SIGUSR2 it writes one
// line to stderr, `HEAP <json>`, with the process's RSS and the size V8 holds for each heap space,
// so the RSS of a running server can be split into its young generation and everything else.
import v8 from 'node:v8'

process.on('SIGUSR2', () => {
  const spaces = {}
  for (const space of v8.getHeapSpaceStatistics()) spaces[space.space_name] = space.space_size
  const { rss } = process.memoryUsage()
  process.stderr.write(`HEAP ${JSON.stringify({ rss, spaces })}\n`)
})
