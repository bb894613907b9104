/**
 * The global propagator from `OTEL_PROPAGATORS` (default `tracecontext,baggage`), as the
 * OpenTelemetry specification names them: tracecontext, baggage, b3 (single header), b3multi,
 * jaeger, xray, ottrace, none. Each non-default propagator's package is required only when it is
 * named, so an unused propagator costs nothing at start-up.
 */
import { createRequire } from 'node:module'
import type { TextMapPropagator } from '@opentelemetry/api'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import type { PropagatorName } from '../config/options.js'

const require = createRequire(import.meta.url)

/** One propagator by its specification name (none: undefined). */
function create(name: PropagatorName): TextMapPropagator | undefined {
  switch (name) {
    case 'tracecontext':
      return new W3CTraceContextPropagator()
    case 'baggage':
      return new W3CBaggagePropagator()
    case 'b3': {
      const { B3Propagator, B3InjectEncoding } = require('@opentelemetry/propagator-b3')
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER })
    }
    case 'b3multi': {
      const { B3Propagator, B3InjectEncoding } = require('@opentelemetry/propagator-b3')
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER })
    }
    case 'jaeger': {
      const { JaegerPropagator } = require('@opentelemetry/propagator-jaeger')
      return new JaegerPropagator()
    }
    case 'xray': {
      const { AWSXRayPropagator } = require('@opentelemetry/propagator-aws-xray')
      return new AWSXRayPropagator()
    }
    case 'ottrace': {
      const { OTTracePropagator } = require('@opentelemetry/propagator-ot-trace')
      return new OTTracePropagator()
    }
    case 'none':
      return undefined
  }
}

/**
 * The composite of the named propagators, in order (duplicates once). `none` anywhere, or an
 * empty list, gives a propagator that neither injects nor extracts.
 */
export function buildPropagator(names: readonly PropagatorName[]): TextMapPropagator {
  const unique = [...new Set(names)]
  if (unique.includes('none')) return new CompositePropagator({ propagators: [] })
  const propagators = unique.map(create).filter((p): p is TextMapPropagator => p !== undefined)
  return new CompositePropagator({ propagators })
}
