/** @otelkit/cache: Redis value, query and HTTP response caching with metrics. HTTP adapters are subpath exports. */
import { Cache } from './cache.js'
import { Core } from './core.js'
import type { CacheOptions } from './options.js'

export { Cache, type Loader } from './cache.js'
export type { Duration } from './duration.js'
export { toMs as parseDuration } from './duration.js'
export {
  CacheClosedError,
  CacheError,
  type CacheErrorCode,
  ERROR_CODES,
  errors,
  InvalidDurationError,
  InvalidKeyError,
  InvalidOptionsError,
  LoaderTimeoutError,
  NotSerializableError,
} from './errors.js'
export type { CacheLogger } from './logger.js'
export type {
  BreakerOptions,
  CacheOptions,
  GetOrSetOptions,
  InvalidateTagsOptions,
  InvalidationResult,
  L1Options,
  LoaderTimeouts,
  LockOptions,
  NamespaceOptions,
  SetOptions,
} from './options.js'
export { DEFAULTS } from './options.js'
export { type QueryOptions, type QueryResultLike, queryKey } from './query.js'
export { jsonSerializer, type MsgpackModule, msgpackSerializer, type Serializer } from './serializer.js'

/** Creates a cache. See the README for every option and its default. */
export function createCache(options: CacheOptions = {}): Cache {
  const core = new Core(options)
  return new Cache(core, core.rootPrefix)
}
