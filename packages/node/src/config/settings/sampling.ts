/** Settings of trace context: how it is propagated, and which traces are sampled. */
import { setting } from './define.js'
import { listOf, oneOf, ratio } from './kinds.js'

export const PROPAGATORS = [
  'tracecontext',
  'baggage',
  'b3',
  'b3multi',
  'jaeger',
  'xray',
  'ottrace',
  'none',
] as const
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const

export const SAMPLING_SETTINGS = {
  propagators: setting(listOf(PROPAGATORS), {
    variables: [
      {
        name: 'OTEL_PROPAGATORS',
        example: 'tracecontext,baggage,b3multi',
        doc: '`tracecontext`, `baggage`, `b3` (single header), `b3multi`, `jaeger`, `xray`, `ottrace`, `none`; each non-default format loads only when named',
      },
    ],
    default: ['tracecontext', 'baggage'],
  }),
  sampler: setting(oneOf(SAMPLERS), {
    variables: [
      {
        name: 'OTEL_TRACES_SAMPLER',
        example: 'parentbased_traceidratio',
        doc: '`always_on`, `always_off`, `traceidratio`, `parentbased_*`',
      },
    ],
    default: 'parentbased_always_on',
  }),
  samplerRatio: setting(ratio, {
    variables: [{ name: 'OTEL_TRACES_SAMPLER_ARG', example: '0.1', doc: 'ratio for the ratio samplers' }],
    default: 1,
  }),
}
