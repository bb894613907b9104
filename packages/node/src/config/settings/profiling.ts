/** Settings of on-demand CPU and heap profiling (profiling/). */
import { setting } from './define.js'
import { boolean, integer, oneOf } from './kinds.js'

export const PROFILERS = ['auto', 'inspector'] as const

export const PROFILING_SETTINGS = {
  profileMaxSeconds: setting(integer(1, 3600), {
    variables: [
      {
        name: 'OTELKIT_PROFILE_MAX_SECONDS',
        example: '30',
        doc: 'longest CPU profile a request may ask for, see [profiling](docs/profiling.md)',
      },
    ],
    default: 60,
  }),
  heapSnapshot: setting(boolean, {
    variables: [
      {
        name: 'OTELKIT_HEAP_SNAPSHOT',
        example: 'true',
        doc: 'serve `/debug/heapsnapshot` (pauses the process while it writes)',
      },
    ],
    default: false,
  }),
  heapSamplingIntervalBytes: setting(integer(1024, 1 << 30), {
    variables: [
      {
        name: 'OTELKIT_HEAP_SAMPLING_INTERVAL_BYTES',
        example: '131072',
        doc: 'average bytes between samples of the heap profiler',
      },
    ],
    default: 524_288,
  }),
  profiler: setting(oneOf(PROFILERS), {
    variables: [
      {
        name: 'OTELKIT_PROFILER',
        example: 'inspector',
        doc: '`auto` (@datadog/pprof, falling back to node:inspector) or `inspector`',
      },
    ],
    default: 'auto',
  }),
}
