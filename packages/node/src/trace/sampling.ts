/**
 * The head-sampling decision of OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, as a function of
 * the parent span context and the trace id, with the SDK samplers' semantics: the parent-based
 * samplers follow a valid parent's sampled flag (remote or local) and ask the root sampler
 * otherwise; `traceidratio` compares the trace id's four 32-bit words XORed against
 * `ratio × (2³² − 1)`, as the SDK's TraceIdRatioBasedSampler does, so every service with the same
 * ratio keeps the same traces. Only the export follows the decision: every span is recorded, so
 * the metrics derived from spans stay exact (otelkit's own database calls that would not be
 * sampled may count themselves without a span: quiet-calls.ts).
 */
import type { SpanContext } from '@opentelemetry/api'
import { charCodeAt } from '../char-code.js'
import type { ResolvedConfig } from '../config/resolved.js'
import { drawnTraceIdKey } from './ids.js'

/** Whether a span with this (valid or absent) parent and this trace id is sampled. */
export type SamplingDecision = (parent: SpanContext | undefined, traceId: string) => boolean

const always = () => true
const never = () => false

function hexDigit(code: number): number {
  return code < 58 ? code - 48 : code < 71 ? code - 55 : code - 87
}

/** The trace id's four 32-bit words XORed (the SDK's accumulation), from its hex. */
function accumulate(traceId: string): number {
  let accumulation = 0
  for (let i = 0; i < 32; i += 8) {
    let part = 0
    for (let j = 0; j < 8; j++) part = (part << 4) | hexDigit(charCodeAt.call(traceId, i + j))
    accumulation = (accumulation ^ part) >>> 0
  }
  return accumulation
}

/** The root decision of a trace-id ratio (0 samples nothing, 1 everything). */
export function traceIdRatio(ratio: number): (traceId: string) => boolean {
  const normalized = Number.isNaN(ratio) ? 0 : Math.min(1, Math.max(0, ratio))
  if (normalized === 1) return always
  if (normalized === 0) return never
  const upperBound = Math.floor(normalized * 0xffffffff)
  return (traceId) => (drawnTraceIdKey(traceId) ?? accumulate(traceId)) < upperBound
}

function parentBased(root: (traceId: string) => boolean): SamplingDecision {
  return (parent, traceId) => (parent === undefined ? root(traceId) : (parent.traceFlags & 1) === 1)
}

export function samplingDecision(config: Pick<ResolvedConfig, 'sampler' | 'samplerRatio'>): SamplingDecision {
  switch (config.sampler) {
    case 'always_on':
      return always
    case 'always_off':
      return never
    case 'traceidratio': {
      const root = traceIdRatio(config.samplerRatio)
      return (_parent, traceId) => root(traceId)
    }
    case 'parentbased_always_off':
      return parentBased(never)
    case 'parentbased_traceidratio':
      return parentBased(traceIdRatio(config.samplerRatio))
    default:
      return parentBased(always)
  }
}
