/** Error tracking: categorised, grouped failures (`otelkit.errors`, `/debug/errors`). */
export { ERRORS_DEFAULTS, type ErrorsTrackingHandle, errorsFeature } from './feature.js'
export { ATTR_ERROR_CATEGORY, ATTR_ERROR_FINGERPRINT } from './span-processor.js'
export type {
  ErrorCategory,
  ErrorClassifier,
  ErrorDescription,
  ErrorGroup,
  ErrorSource,
  ErrorsTrackingOptions,
} from './types.js'
