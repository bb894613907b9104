/**
 * Every instrumentation otelkit knows, one entry each: the short names of the stock distribution
 * (@opentelemetry/auto-instrumentations-node) plus otelkit's own (`fastify`, `express-middleware`).
 * HTTP, fetch/undici, pg, Fastify routes, Express 5 routes and ioredis 6 are otelkit's own lean
 * implementations; the rest are the upstream OpenTelemetry packages, configured for low noise and
 * no values. An entry is loaded when one of its target modules is first required or imported
 * (activate.ts), never before. `fs`, `dns`, `net` and per-middleware Express spans are noisy and
 * off unless named in `OTEL_NODE_ENABLED_INSTRUMENTATIONS`.
 */

import { logBridgeConfig } from '../logs/bridge.js'
import { isOpsServer } from '../ops/server.js'
import { redisStatement } from '../privacy/redis.js'
import type { CatalogEntry, LoadContext } from './entry.js'
import { disableExpressRoutes, enableExpressRoutes } from './express-routes.js'
import { disableFastifyRoutes, enableFastifyRoutes } from './fastify-routes.js'
import { disableHttpClientInstrumentation, enableHttpClientInstrumentation } from './http-client.js'
import { disableHttpServerInstrumentation, enableHttpServerInstrumentation } from './http-server.js'
import { traceEachCommandOnce } from './ioredis-offline-queue.js'
import { installIoredisCommands } from './ioredis-trace-command.js'
import { installPgQueries } from './pg.js'
import { createPoolContextInstrumentation, type PoolCheckoutTarget } from './pool-context.js'
import { disableUndiciInstrumentation, enableUndiciInstrumentation } from './undici.js'
import { installInstrumentation, installUpstream, patchDefaultExport, upstream } from './upstream.js'
import { dependencyFile, filePath, inRange, mainFileVersion } from './versions.js'

export type { CatalogEntry, CatalogTarget, Installed, LoadContext } from './entry.js'

const EXPRESS_LAYER_TYPES = ['middleware', 'request_handler', 'router']
const NOTHING = { uninstall() {} }

/**
 * Express 5 / router 2.3+: otelkit's own route templates, patched into the router copy `ctx`'s
 * module loads (`routerMain`: that copy's main file); undefined where that is not possible.
 */
function expressRoutes(ctx: LoadContext, routerMain: string | undefined, version: string | undefined) {
  const middleware = ctx.explicitlyEnabled.has('express-middleware')
  if (middleware || routerMain === undefined || version === undefined || !inRange(version, '>=2.3 <3')) {
    return undefined
  }
  return enableExpressRoutes(routerMain) ? { uninstall: disableExpressRoutes } : undefined
}

/**
 * `entry` plus a patch that runs the checkout callback of its pool class (in `file` of the entry's
 * target module, at the versions the entry covers) in its caller's context (pool-context.ts),
 * installed and removed with it.
 */
function withPoolContext(
  entry: CatalogEntry,
  pool: Pick<PoolCheckoutTarget, 'file' | 'method'>,
): CatalogEntry {
  const [target] = entry.targets
  if (target === undefined) throw new Error(`catalog entry ${entry.name} has no target module`)
  const checkoutTarget: PoolCheckoutTarget = { ...pool, module: target.module, versions: target.versions }
  return {
    ...entry,
    load(ctx) {
      const main = entry.load(ctx)
      if (main === undefined) return undefined
      const checkout = installInstrumentation(createPoolContextInstrumentation(checkoutTarget), ctx)
      return {
        uninstall() {
          checkout.uninstall()
          main.uninstall()
        },
        hookedModules: [...(main.hookedModules ?? []), ...(checkout.hookedModules ?? [])],
      }
    },
  }
}

const builtins = (name: string) => [name, `node:${name}`, `${name}/promises`, `node:${name}/promises`]

export const CATALOG: readonly CatalogEntry[] = [
  {
    name: 'http',
    kind: 'own',
    targets: [],
    esm: [],
    load: ({ tracer, instruments, config }) => {
      enableHttpServerInstrumentation({
        tracer,
        instruments,
        ignoreServer: isOpsServer,
        urlRedaction: config.urlRedaction,
        captureUserAgent: config.captureUserAgent,
      })
      enableHttpClientInstrumentation({ tracer, instruments, urlRedaction: config.urlRedaction })
      return {
        uninstall() {
          disableHttpServerInstrumentation()
          disableHttpClientInstrumentation()
        },
      }
    },
  },
  {
    name: 'undici',
    kind: 'own',
    targets: [],
    esm: [],
    load: ({ tracer, instruments, config }) => {
      enableUndiciInstrumentation({ tracer, instruments, urlRedaction: config.urlRedaction })
      return { uninstall: disableUndiciInstrumentation }
    },
  },
  {
    name: 'express',
    kind: 'own+upstream',
    upstream: '@opentelemetry/instrumentation-express',
    targets: [{ module: 'express', versions: '>=4 <6' }],
    // Express 4 (router < 2.3): upstream, routes only, no span per middleware unless
    // `express-middleware` is enabled.
    load: (ctx) => {
      const routerMain = dependencyFile(ctx.module?.file, 'router')
      return (
        expressRoutes(ctx, routerMain, mainFileVersion(routerMain, 'router')) ??
        installUpstream(
          '@opentelemetry/instrumentation-express',
          'ExpressInstrumentation',
          { ignoreLayersType: ctx.explicitlyEnabled.has('express-middleware') ? [] : EXPRESS_LAYER_TYPES },
          ctx,
        )
      )
    },
  },
  // Read by the express entry: a span per middleware/router layer.
  {
    name: 'express-middleware',
    kind: 'upstream',
    upstream: '@opentelemetry/instrumentation-express',
    targets: [{ module: 'express', versions: '>=4 <6' }],
    defaultOff: true,
    load: () => NOTHING,
  },
  {
    name: 'router',
    kind: 'own+upstream',
    upstream: '@opentelemetry/instrumentation-router',
    targets: [{ module: 'router', versions: '>=1 <3' }],
    load: (ctx) =>
      expressRoutes(ctx, filePath(ctx.module?.file), ctx.module?.version) ??
      installUpstream('@opentelemetry/instrumentation-router', 'RouterInstrumentation', {}, ctx),
  },
  {
    name: 'fastify',
    kind: 'own',
    targets: [{ module: 'fastify', versions: '>=4 <6' }],
    esm: [],
    load: () => {
      enableFastifyRoutes()
      return { uninstall: disableFastifyRoutes }
    },
  },
  {
    name: 'pg',
    kind: 'own',
    // One wrapper, normalised statements, no connect or pool spans (pg.ts), patched on its
    // prototypes: an ES module import of pg gets the same classes, nothing to wrap there.
    targets: [{ module: 'pg', versions: '>=8 <9' }],
    esm: [],
    load: installPgQueries,
  },
  {
    name: 'ioredis',
    kind: 'own+upstream',
    upstream: '@opentelemetry/instrumentation-ioredis',
    targets: [{ module: 'ioredis', versions: '>=2 <7' }],
    // ioredis 6+ describes its commands for a tracing channel: otelkit takes them from its
    // patched traceCommand, and from the channel for other copies (ioredis-trace-command.ts).
    load: (ctx) => {
      if (inRange(ctx.module?.version, '>=6')) return installIoredisCommands(ctx)
      return installUpstream(
        '@opentelemetry/instrumentation-ioredis',
        'IORedisInstrumentation',
        { requireParentSpan: false, dbStatementSerializer: redisStatement },
        ctx,
        traceEachCommandOnce,
      )
    },
  },
  upstream({
    name: 'redis',
    pkg: 'redis',
    className: 'RedisInstrumentation',
    // node-redis 2.6–3 directly, 4+ through @redis/client. Command and keys only (privacy/redis.ts).
    targets: [
      { module: 'redis', versions: '>=2.6 <7' },
      { module: '@redis/client', versions: '>=1 <2 || >=5 <7' },
    ],
    config: () => ({ requireParentSpan: false, dbStatementSerializer: redisStatement }),
  }),
  // A query that waited for a pooled connection stays in its own request's trace.
  withPoolContext(
    upstream({
      name: 'mysql2',
      pkg: 'mysql2',
      className: 'MySQL2Instrumentation',
      targets: [{ module: 'mysql2', versions: '>=1.4.2 <4' }],
      esm: ['mysql2', 'mysql2/promise'],
      config: () => ({ maskStatement: true }),
    }),
    { file: 'lib/pool.js', method: 'getConnection' },
  ),
  upstream({
    name: 'mysql',
    pkg: 'mysql',
    className: 'MySQLInstrumentation',
    targets: [{ module: 'mysql', versions: '>=2 <3' }],
  }),
  upstream({
    name: 'mongodb',
    pkg: 'mongodb',
    className: 'MongoDBInstrumentation',
    // The default statement serializer replaces every value with '?'.
    targets: [{ module: 'mongodb', versions: '>=3.3 <8' }],
  }),
  upstream({
    name: 'mongoose',
    pkg: 'mongoose',
    className: 'MongooseInstrumentation',
    // No statement serializer: no document, condition or update values in spans.
    targets: [{ module: 'mongoose', versions: '>=5.9.7 <10' }],
  }),
  upstream({
    name: 'knex',
    pkg: 'knex',
    className: 'KnexInstrumentation',
    targets: [{ module: 'knex', versions: '>=0.10 <4' }],
  }),
  upstream({
    name: 'memcached',
    pkg: 'memcached',
    className: 'MemcachedInstrumentation',
    targets: [{ module: 'memcached', versions: '>=2.2 <3' }],
    prepare: patchDefaultExport,
  }),
  upstream({
    name: 'cassandra-driver',
    pkg: 'cassandra-driver',
    className: 'CassandraDriverInstrumentation',
    targets: [{ module: 'cassandra-driver', versions: '>=4.4 <5' }],
    // The CQL text, normalised before export like SQL (client-span-processor.ts), names the
    // operation and table of db.client.operation.duration.
    config: () => ({ enhancedDatabaseReporting: true }),
  }),
  upstream({
    name: 'tedious',
    pkg: 'tedious',
    className: 'TediousInstrumentation',
    targets: [{ module: 'tedious', versions: '>=1.11 <21' }],
  }),
  upstream({
    name: 'oracledb',
    pkg: 'oracledb',
    className: 'OracleInstrumentation',
    targets: [{ module: 'oracledb', versions: '>=6.7 <8' }],
  }),
  upstream({
    name: 'generic-pool',
    pkg: 'generic-pool',
    className: 'GenericPoolInstrumentation',
    targets: [{ module: 'generic-pool', versions: '>=2 <4' }],
  }),
  upstream({
    name: 'dataloader',
    pkg: 'dataloader',
    className: 'DataloaderInstrumentation',
    targets: [{ module: 'dataloader', versions: '>=2 <3' }],
  }),
  upstream({
    name: 'lru-memoizer',
    pkg: 'lru-memoizer',
    className: 'LruMemoizerInstrumentation',
    targets: [{ module: 'lru-memoizer', versions: '>=1.3 <4' }],
  }),
  upstream({
    name: 'amqplib',
    pkg: 'amqplib',
    className: 'AmqplibInstrumentation',
    targets: [{ module: 'amqplib', versions: '>=0.5.5 <3' }],
  }),
  upstream({
    name: 'kafkajs',
    pkg: 'kafkajs',
    className: 'KafkaJsInstrumentation',
    targets: [{ module: 'kafkajs', versions: '>=0.3 <3' }],
  }),
  upstream({
    name: 'socket.io',
    pkg: 'socket.io',
    className: 'SocketIoInstrumentation',
    targets: [{ module: 'socket.io', versions: '>=2 <5' }],
  }),
  upstream({
    name: 'grpc',
    pkg: 'grpc',
    className: 'GrpcInstrumentation',
    targets: [{ module: '@grpc/grpc-js', versions: '>=1 <2' }],
  }),
  upstream({
    name: 'graphql',
    pkg: 'graphql',
    className: 'GraphQLInstrumentation',
    // Operation, parse and validate spans; resolver spans only for non-trivial resolvers.
    targets: [{ module: 'graphql', versions: '>=14 <17' }],
    config: () => ({ ignoreTrivialResolveSpans: true }),
  }),
  upstream({
    name: 'koa',
    pkg: 'koa',
    className: 'KoaInstrumentation',
    targets: [{ module: 'koa', versions: '>=2 <4' }],
  }),
  upstream({
    name: 'hapi',
    pkg: 'hapi',
    className: 'HapiInstrumentation',
    targets: [{ module: '@hapi/hapi', versions: '>=17 <22' }],
  }),
  upstream({
    name: 'restify',
    pkg: 'restify',
    className: 'RestifyInstrumentation',
    targets: [{ module: 'restify', versions: '>=4.1 <13' }],
  }),
  upstream({
    name: 'connect',
    pkg: 'connect',
    className: 'ConnectInstrumentation',
    targets: [{ module: 'connect', versions: '>=3 <4' }],
    prepare: patchDefaultExport,
  }),
  upstream({
    name: 'nestjs-core',
    pkg: 'nestjs-core',
    className: 'NestInstrumentation',
    targets: [{ module: '@nestjs/core', versions: '>=4 <12' }],
  }),
  upstream({
    name: 'pino',
    pkg: 'pino',
    className: 'PinoInstrumentation',
    targets: [{ module: 'pino', versions: '>=5.14 <11' }],
    config: logBridgeConfig,
  }),
  upstream({
    name: 'winston',
    pkg: 'winston',
    className: 'WinstonInstrumentation',
    targets: [{ module: 'winston', versions: '>=1 <4' }],
    config: logBridgeConfig,
  }),
  upstream({
    name: 'bunyan',
    pkg: 'bunyan',
    className: 'BunyanInstrumentation',
    targets: [{ module: 'bunyan', versions: '>=1 <2' }],
    config: logBridgeConfig,
  }),
  upstream({
    name: 'openai',
    pkg: 'openai',
    className: 'OpenAIInstrumentation',
    targets: [{ module: 'openai', versions: '>=4.19 <7' }],
  }),
  upstream({
    name: 'aws-sdk',
    pkg: 'aws-sdk',
    className: 'AwsInstrumentation',
    targets: [
      { module: '@aws-sdk/middleware-stack', versions: '>=3.1 <4' },
      { module: '@aws-sdk/smithy-client', versions: '>=3.1 <4' },
      { module: '@smithy/middleware-stack', versions: '>=2' },
      { module: '@smithy/smithy-client', versions: '>=1.0.3' },
      { module: '@smithy/core', versions: '>=3.24' },
    ],
  }),
  upstream({
    name: 'cucumber',
    pkg: 'cucumber',
    className: 'CucumberInstrumentation',
    targets: [{ module: '@cucumber/cucumber', versions: '>=8 <13' }],
  }),
  {
    name: 'aws-lambda',
    kind: 'upstream',
    upstream: '@opentelemetry/instrumentation-aws-lambda',
    // Patches the Lambda handler named by _HANDLER; nothing to do (or load) outside Lambda.
    targets: [],
    esm: [],
    load: (ctx) =>
      process.env._HANDLER && process.env.LAMBDA_TASK_ROOT
        ? installUpstream('@opentelemetry/instrumentation-aws-lambda', 'AwsLambdaInstrumentation', {}, ctx)
        : undefined,
  },
  // Run by the resources feature (host and runtime metrics); named here so they can be disabled.
  {
    name: 'host-metrics',
    kind: 'upstream',
    upstream: '@opentelemetry/instrumentation-host-metrics',
    targets: [],
    esm: [],
    load: () => NOTHING,
  },
  {
    name: 'runtime-node',
    kind: 'upstream',
    upstream: '@opentelemetry/instrumentation-runtime-node',
    targets: [],
    esm: [],
    load: () => NOTHING,
  },
  // Built-ins, patched at start when enabled (every service loads them).
  upstream({
    name: 'fs',
    pkg: 'fs',
    className: 'FsInstrumentation',
    targets: [],
    defaultOff: true,
    esm: builtins('fs'),
    config: () => ({ requireParentSpan: true }),
  }),
  upstream({
    name: 'dns',
    pkg: 'dns',
    className: 'DnsInstrumentation',
    targets: [],
    defaultOff: true,
    esm: builtins('dns'),
  }),
  upstream({
    name: 'net',
    pkg: 'net',
    className: 'NetInstrumentation',
    targets: [],
    defaultOff: true,
    esm: ['net', 'node:net'],
  }),
]

/** ES module specifiers the ESM hook must wrap for `entries`. */
export function esmSpecifiers(entries: readonly CatalogEntry[]): string[] {
  return [...new Set(entries.flatMap((e) => e.esm ?? e.targets.map((t) => t.module)))]
}
