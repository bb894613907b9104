/**
 * The span limits from the limit settings, as the specification resolves them: a span-specific
 * setting (`OTEL_SPAN_ATTRIBUTE_*`) wins over the general one (`OTEL_ATTRIBUTE_*`), which wins
 * over the default (no value length limit, 128 of everything else).
 */
import { DEFAULTS } from './defaults.js'
import type { OtelkitOptions } from './options.js'
import type { SpanLimitsConfig } from './resolved.js'

export function spanLimits(merged: OtelkitOptions): SpanLimitsConfig {
  return {
    attributeValueLengthLimit:
      merged.spanAttributeValueLengthLimit ?? merged.attributeValueLengthLimit ?? Number.POSITIVE_INFINITY,
    attributeCountLimit:
      merged.spanAttributeCountLimit ?? merged.attributeCountLimit ?? DEFAULTS.attributeCountLimit,
    eventCountLimit: merged.spanEventCountLimit ?? DEFAULTS.spanEventCountLimit,
    linkCountLimit: merged.spanLinkCountLimit ?? DEFAULTS.spanLinkCountLimit,
    attributePerEventCountLimit: merged.eventAttributeCountLimit ?? DEFAULTS.eventAttributeCountLimit,
    attributePerLinkCountLimit: merged.linkAttributeCountLimit ?? DEFAULTS.linkAttributeCountLimit,
  }
}
