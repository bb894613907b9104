/**
 * Settings of the attribute and span limits (`OTEL_ATTRIBUTE_*_LIMIT`, `OTEL_SPAN_*_LIMIT`,
 * `OTEL_*_ATTRIBUTE_COUNT_LIMIT`); config/limits.ts resolves them into `config.spanLimits`.
 */
import { setting } from './define.js'
import { integer } from './kinds.js'

/** Bounds of the limit variables (a million attributes is no limit at all). */
export const MAX_LENGTH_LIMIT = 1_000_000_000
export const MAX_COUNT_LIMIT = 1_000_000

const length = integer(0, MAX_LENGTH_LIMIT)
const count = integer(0, MAX_COUNT_LIMIT)

export const LIMIT_SETTINGS = {
  attributeValueLengthLimit: setting(length, {
    variables: [
      {
        name: 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
        example: '4096',
        defaultDoc: '(no limit)',
        doc: 'longest attribute value kept on spans, events, links and log records; longer strings are cut',
      },
    ],
  }),
  attributeCountLimit: setting(count, {
    variables: [
      {
        name: 'OTEL_ATTRIBUTE_COUNT_LIMIT',
        example: '64',
        doc: 'attributes kept per span, event, link and log record; more are dropped and counted in OTLP `dropped_attributes_count`',
      },
    ],
    default: 128,
  }),
  spanAttributeValueLengthLimit: setting(length, {
    variables: [
      {
        name: 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
        example: '1024',
        defaultDoc: '`OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`',
        doc: 'longest span attribute value (wins over the general limit)',
      },
    ],
    resolved: false,
  }),
  spanAttributeCountLimit: setting(count, {
    variables: [
      {
        name: 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
        example: '256',
        defaultDoc: '`OTEL_ATTRIBUTE_COUNT_LIMIT`',
        doc: 'attributes per span (wins over the general limit)',
      },
    ],
    resolved: false,
  }),
  spanEventCountLimit: setting(count, {
    variables: [
      {
        name: 'OTEL_SPAN_EVENT_COUNT_LIMIT',
        example: '32',
        doc: 'events per span; the oldest are dropped first, counted in `dropped_events_count`',
      },
    ],
    default: 128,
    resolved: false,
  }),
  spanLinkCountLimit: setting(count, {
    variables: [
      {
        name: 'OTEL_SPAN_LINK_COUNT_LIMIT',
        example: '32',
        doc: 'links per span; counted in `dropped_links_count`',
      },
    ],
    default: 128,
    resolved: false,
  }),
  eventAttributeCountLimit: setting(count, {
    variables: [
      {
        name: 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT',
        example: '16',
        doc: "attributes per span event (error tracking's marks on an exception event included)",
      },
    ],
    default: 128,
    resolved: false,
  }),
  linkAttributeCountLimit: setting(count, {
    variables: [{ name: 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', example: '16', doc: 'attributes per span link' }],
    default: 128,
    resolved: false,
  }),
}
