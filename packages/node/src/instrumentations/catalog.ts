/**
 * The instrumentations otelkit knows, when each applies, and how to build it. HTTP (server and
 * client), fetch/undici and Fastify routes are otelkit's own lean implementations (on Node's
 * diagnostics channels); the rest are the official
 * OpenTelemetry instrumentations, configured for low noise. `fs`, `dns`, `net` and per-middleware
 * Express spans are noisy and off unless named in `OTEL_NODE_ENABLED_INSTRUMENTATIONS`.
 */
import { createRequire } from 'node:module'
import type { Instrumentation } from '@opentelemetry/instrumentation'
import { redisStatement } from '../privacy/redis.js'
import { createPgInstrumentation } from './pg.js'

const require = createRequire(import.meta.url)

export interface CatalogEntry {
  /** Name used in OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS. */
  name: string
  /** Modules whose presence makes the entry apply; empty = always applies (built-ins). */
  modules: string[]
  /** Off unless explicitly enabled. */
  optIn?: boolean
  /** Builds the upstream instrumentation; absent (or returning undefined) for otelkit's own ones. */
  create?: (ctx: CatalogContext) => Instrumentation | undefined
}

export interface CatalogContext {
  /** Names the user enabled explicitly. */
  explicitlyEnabled: ReadonlySet<string>
  /** Express routes come from router's tracing channel (Express 5, router 2.3+). */
  expressChannel: boolean
  /** ioredis commands come from its tracing channel (ioredis 6+). */
  ioredisChannel: boolean
}

const EXPRESS_LAYER_TYPES = ['middleware', 'request_handler', 'router']

export const CATALOG: readonly CatalogEntry[] = [
  { name: 'http', modules: [] },
  { name: 'undici', modules: [] },
  {
    name: 'express',
    modules: ['express'],
    // Express 5 on router 2.3+ publishes its routing on a tracing channel: otelkit's own
    // subscriber (express-channel.ts) unless middleware spans are asked for.
    create: (ctx) => {
      if (ctx.expressChannel && !ctx.explicitlyEnabled.has('express-middleware')) return undefined
      const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express')
      // Routes only, no span per middleware, unless `express-middleware` is enabled.
      const layers = ctx.explicitlyEnabled.has('express-middleware') ? [] : EXPRESS_LAYER_TYPES
      return new ExpressInstrumentation({ ignoreLayersType: layers })
    },
  },
  { name: 'express-middleware', modules: ['express'], optIn: true },
  { name: 'fastify', modules: ['fastify'] },
  {
    name: 'pg',
    modules: ['pg'],
    // otelkit's own (pg.ts): one wrapper, normalised statements, no connect or pool spans.
    create: () => createPgInstrumentation(),
  },
  {
    name: 'mysql2',
    modules: ['mysql2'],
    create: () => {
      const { MySQL2Instrumentation } = require('@opentelemetry/instrumentation-mysql2')
      return new MySQL2Instrumentation({ maskStatement: true })
    },
  },
  {
    name: 'ioredis',
    modules: ['ioredis'],
    // ioredis 6+ publishes its commands on a tracing channel: otelkit's own subscriber (start.ts).
    create: (ctx) => {
      if (ctx.ioredisChannel) return undefined
      const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis')
      return new IORedisInstrumentation({ requireParentSpan: false, dbStatementSerializer: redisStatement })
    },
  },
  {
    name: 'redis',
    modules: ['redis', '@redis/client'],
    create: () => {
      const { RedisInstrumentation } = require('@opentelemetry/instrumentation-redis')
      // Command and keys only: no value, no script argument (privacy/redis.ts).
      return new RedisInstrumentation({ requireParentSpan: false, dbStatementSerializer: redisStatement })
    },
  },
  {
    name: 'pino',
    modules: ['pino'],
    create: () => {
      const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino')
      return new PinoInstrumentation({ disableLogSending: true })
    },
  },
  // Read by the resources feature (host and runtime metrics); named here so they can be disabled.
  { name: 'host-metrics', modules: [] },
  { name: 'runtime-node', modules: [] },
  {
    name: 'fs',
    modules: [],
    optIn: true,
    create: () => {
      const { FsInstrumentation } = require('@opentelemetry/instrumentation-fs')
      return new FsInstrumentation({ requireParentSpan: true })
    },
  },
  {
    name: 'dns',
    modules: [],
    optIn: true,
    create: () => {
      const { DnsInstrumentation } = require('@opentelemetry/instrumentation-dns')
      return new DnsInstrumentation({})
    },
  },
  {
    name: 'net',
    modules: [],
    optIn: true,
    create: () => {
      const { NetInstrumentation } = require('@opentelemetry/instrumentation-net')
      return new NetInstrumentation({})
    },
  },
]

/** Modules that ESM hooks must intercept for the upstream instrumentations above. */
export const HOOKED_MODULES: Record<string, string[]> = {
  express: ['express', 'router'],
  pg: ['pg', 'pg-pool'],
  mysql2: ['mysql2', 'mysql2/promise'],
  ioredis: ['ioredis'],
  redis: ['redis', '@redis/client'],
  pino: ['pino'],
  fs: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'],
  dns: ['dns', 'node:dns', 'dns/promises', 'node:dns/promises'],
  net: ['net', 'node:net'],
}
