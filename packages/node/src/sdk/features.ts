/**
 * The features installed at start, in order. Each is `{ name, install(ctx) }` (see context.ts);
 * a feature that throws while installing is reported and skipped, never fatal.
 */
import type { Feature } from './context.js'

export const FEATURES: Feature[] = []
