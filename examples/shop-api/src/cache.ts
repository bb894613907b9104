/**
 * The service's cache: Redis (the shared client) with an in-process L1 kept coherent across
 * instances, serving stale values for a minute while one refresh runs.
 */
import { createCache } from '@otelkit/cache'
import { redis } from './db.js'

export const cache = createCache({ name: 'shop', redis, l1: { maxEntries: 10_000 }, staleTtl: '1m' })

/** Tags of a product's cached reads, invalidated when its stock or price changes. */
export const productTags = (id: number) => ['products', `product:${id}`]
