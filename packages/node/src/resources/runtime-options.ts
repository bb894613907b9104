/** Options of the host and runtime metric sources, apart from the sources (loaded later). */

/** Which of the two groups to start. */
export interface RuntimeMetricsOptions {
  /** Host and process metrics (`host-metrics`). */
  host: boolean
  /** Node.js runtime metrics (`runtime-node`). */
  runtime: boolean
}

/** Resolution of the event-loop delay histogram: one unref'd libuv timer wake-up per period. */
export const EVENT_LOOP_DELAY_RESOLUTION_MS = 50
