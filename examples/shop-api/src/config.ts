/** Settings of the example service, from the environment. */
export const settings = {
  port: Number(process.env.PORT ?? 8080),
  host: process.env.HOST ?? '0.0.0.0',
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Upstream called by GET /upstream; defaults to this service's own pricing endpoint. */
  upstreamUrl: process.env.UPSTREAM_URL,
  /** Prefix of every Redis key the service writes. */
  redisPrefix: process.env.REDIS_PREFIX ?? 'shop:',
  /** Number of products the seed creates. */
  seedProducts: Number(process.env.SEED_PRODUCTS ?? 5000),
}
