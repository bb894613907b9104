/**
 * Turns a scenario into a plan of steps, each one autocannon run with a fixed rate and number
 * of connections. A stage whose rate changes (ramp-up, ramp-down) is cut into steps of one
 * second, each at the rate interpolated at its middle, so the rate follows the ramp.
 */
import { usageError } from '../errors.js'
import { parseRunLengthMs } from '../units.js'
import type { Scenario } from './scenario.js'

export interface Step {
  stage: string
  durationMs: number
  /** Open-model rate (req/s); 0 is an idle step; undefined is closed-loop (as fast as the connections go). */
  rate: number | undefined
  connections: number
}

export interface Plan {
  steps: Step[]
  /** Request count of a count-bounded run (no stages). */
  amount: number | undefined
  /** Requests the plan expects to send when every step is rate-limited; undefined otherwise. */
  expectedRequests: number | undefined
}

const STEP_MS = 1000
export const DEFAULT_CONNECTIONS = 10
export const DEFAULT_DURATION = '10s'
/** How long a request may wait for its response. */
export const DEFAULT_TIMEOUT = '10s'

export function buildPlan(scenario: Scenario): Plan {
  const connections = scenario.connections ?? DEFAULT_CONNECTIONS
  if (!scenario.stages) {
    if (scenario.amount !== undefined) {
      return {
        steps: [{ stage: 'main', durationMs: 0, rate: scenario.rate, connections }],
        amount: scenario.amount,
        expectedRequests: scenario.amount,
      }
    }
    const durationMs = parseRunLengthMs(scenario.duration ?? DEFAULT_DURATION, 'duration')
    if (durationMs <= 0) throw usageError('duration must be greater than 0')
    const rate = scenario.rate
    return {
      steps: [{ stage: 'main', durationMs, rate, connections }],
      amount: undefined,
      expectedRequests: rate === undefined ? undefined : Math.round((rate * durationMs) / 1000),
    }
  }
  if (scenario.amount !== undefined)
    throw usageError('a scenario with stages is bounded by time: remove "amount"')
  const openModel = scenario.stages.some((s) => s.target !== undefined)
  const steps: Step[] = []
  let previous = scenario.startRate ?? 0
  scenario.stages.forEach((stage, index) => {
    const name = stage.name ?? `stage ${index + 1}`
    const durationMs = parseRunLengthMs(stage.duration, `stages[${index}].duration`)
    const stageConnections = stage.connections ?? connections
    if (!openModel) {
      steps.push({ stage: name, durationMs, rate: undefined, connections: stageConnections })
      return
    }
    const from = previous
    const to = stage.target ?? previous
    previous = to
    if (from === to) {
      steps.push({ stage: name, durationMs, rate: to, connections: stageConnections })
      return
    }
    for (let at = 0; at < durationMs; at += STEP_MS) {
      const length = Math.min(STEP_MS, durationMs - at)
      const middle = (at + length / 2) / durationMs
      steps.push({
        stage: name,
        durationMs: length,
        rate: from + (to - from) * middle,
        connections: stageConnections,
      })
    }
  })
  const expected = openModel
    ? steps.reduce((sum, s) => sum + ((s.rate ?? 0) * s.durationMs) / 1000, 0)
    : undefined
  return {
    steps,
    amount: undefined,
    expectedRequests: expected === undefined ? undefined : Math.round(expected),
  }
}
