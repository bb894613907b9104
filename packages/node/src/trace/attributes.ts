/**
 * Span attributes under the span limits, as the SDK applies them, with a fast path for the
 * values instrumentations set (strings, numbers, booleans): no per-value allocation. Arrays,
 * maps and byte arrays go through `@opentelemetry/core`'s checks unchanged.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api'
import { AddAttributeDecision, maybeAddAttribute } from '@opentelemetry/core'

/** The limits that apply to a span's own attributes. */
export interface AttributeLimits {
  readonly attributeCountLimit: number
  readonly attributeValueLengthLimit: number
}

/** What an attribute write did (the SDK's `AddAttributeDecision`). */
export const ADD_NEW = AddAttributeDecision.ADD_NEW
const ADD_OVERWRITE = AddAttributeDecision.ADD_OVERWRITE_EXISTING
export const DROP_LIMIT = AddAttributeDecision.DROP_LIMIT_REACHED
export const DROP_INVALID = AddAttributeDecision.DROP_INVALID
const DROP_UNDEFINED = AddAttributeDecision.DROP_UNDEFINED

/**
 * Writes `key = value` into `attributes` holding `count` attributes, within `limits`; returns the
 * decision (a new key past the count limit is dropped; a string longer than the length limit is
 * cut; an invalid value is dropped with a warning, as the SDK does).
 */
export function addAttribute(
  attributes: Attributes,
  count: number,
  key: string,
  value: unknown,
  limits: AttributeLimits,
): AddAttributeDecision {
  switch (typeof value) {
    case 'string': {
      if (key.length === 0) break
      const isNew = attributes[key] === undefined
      if (isNew && count >= limits.attributeCountLimit) return DROP_LIMIT
      const limit = limits.attributeValueLengthLimit
      attributes[key] = value.length > limit && limit > 0 ? value.substring(0, limit) : value
      return isNew ? ADD_NEW : ADD_OVERWRITE
    }
    case 'number':
    case 'boolean': {
      if (key.length === 0) break
      const isNew = attributes[key] === undefined
      if (isNew && count >= limits.attributeCountLimit) return DROP_LIMIT
      attributes[key] = value
      return isNew ? ADD_NEW : ADD_OVERWRITE
    }
    case 'undefined':
      return DROP_UNDEFINED
  }
  return maybeAddAttribute({
    key,
    value: value as AttributeValue,
    attributes,
    limits,
    currentAttributesCount: count,
  })
}
