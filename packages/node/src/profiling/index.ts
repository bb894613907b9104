/** The profiling feature and its options. */
export { PROFILING_ROUTES, profilingFeature } from './feature.js'
export {
  DEFAULT_PROFILE_SECONDS,
  PROFILING_DEFAULTS,
  type ProfilingOptions,
  resolveProfilingOptions,
} from './options.js'
