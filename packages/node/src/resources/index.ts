/** Host, disk, process and runtime metrics as an SDK feature. */
export { HOST_RUNTIME_START_DELAY_MS, hostRuntimeSourcesStarted, resourcesFeature } from './feature.js'
export {
  DEFAULT_FILESYSTEM_EXCLUDE_MOUNTPOINTS,
  DEFAULT_FILESYSTEM_EXCLUDE_TYPES,
  type ResourcesOptions,
} from './options.js'
