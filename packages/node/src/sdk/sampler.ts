/**
 * The sampler from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, wrapped so that every span is
 * recorded (metrics derived from spans stay complete) while only sampled spans are exported.
 */
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  createAlwaysRecordSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace'
import type { ResolvedConfig } from '../config/resolved.js'

function baseSampler(config: ResolvedConfig): Sampler {
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler()
    case 'always_off':
      return new AlwaysOffSampler()
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.samplerRatio)
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplerRatio) })
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
  }
}

export function buildSampler(config: ResolvedConfig): Sampler {
  return createAlwaysRecordSampler(baseSampler(config))
}
