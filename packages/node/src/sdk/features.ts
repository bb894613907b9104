/**
 * The features installed at start, in order. Each is `{ name, install(ctx) }` (see context.ts);
 * a feature that throws while installing is reported and skipped, never fatal.
 */
import { errorsFeature } from '../errors-tracking/index.js'
import { healthFeature } from '../health/index.js'
import { profilingFeature } from '../profiling/index.js'
import { resourcesFeature } from '../resources/index.js'
import type { Feature } from './context.js'

/** A fresh set of features for one SDK start. */
export function createFeatures(): Feature[] {
  return [healthFeature, resourcesFeature, errorsFeature(), profilingFeature]
}
