// Re-exports the libraries bench/cache.bench.mjs compares against, resolved from this package's
// devDependencies (the repository root does not depend on them). Not part of the published package.

export { default as KeyvRedis } from '@keyv/redis'
export { metrics } from '@opentelemetry/api'
export { BentoCache, bentostore } from 'bentocache'
export { memoryDriver } from 'bentocache/drivers/memory'
export { redisDriver } from 'bentocache/drivers/redis'
export { createCache as createCacheManager } from 'cache-manager'
export { Redis } from 'ioredis'
export { Keyv } from 'keyv'
