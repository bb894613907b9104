// The apps and variants the request-path diagnostics (profile-request.mjs, request-cost.mjs) run:
// each app's script, folder and path under load, each variant's preload flags and environment.
import { join } from 'node:path'
import { ROOT } from './harness.mjs'
import { OTELKIT_FLAGS } from './preloads.mjs'

const APPS = {
  express: { script: join(ROOT, 'bench/apps/express-pg-redis.mjs'), cwd: ROOT, path: '/items/7' },
  hello: { script: join(ROOT, 'bench/apps/hello.mjs'), cwd: ROOT, path: '/' },
  'shop-api': {
    script: join(ROOT, 'examples/shop-api/dist/server.js'),
    cwd: join(ROOT, 'examples/shop-api'),
    path: '/products/7',
    env: { HOST: '127.0.0.1', REDIS_PREFIX: 'bench:' },
  },
}

/** The app called `name` (express, hello, shop-api). */
export function requestApp(name) {
  const app = APPS[name]
  if (app === undefined) throw new Error(`unknown app ${name}: one of ${Object.keys(APPS).join(', ')}`)
  return app
}

/** Node flags of a variant: bare, otelkit, otelkit-10, or the path of another register entry. */
export function variantFlags(variant) {
  return { bare: [], otelkit: OTELKIT_FLAGS, 'otelkit-10': OTELKIT_FLAGS }[variant] ?? ['--import', variant]
}

/**
 * The server's environment for a variant: export to `sinkUrl`, Prometheus on `metricsPort`, 10 %
 * head sampling for otelkit-10, and BENCH_ENV's JSON on top (e.g. '{"OTEL_TRACES_EXPORTER":"none"}').
 */
export function variantEnv(app, variant, sinkUrl, metricsPort, port) {
  return {
    ...app.env,
    PORT: String(port),
    OTEL_SERVICE_NAME: 'bench',
    OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'prometheus',
    OTEL_LOG_LEVEL: 'error',
    OTELKIT_OPS_PORT: String(metricsPort),
    ...(variant === 'otelkit-10'
      ? { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }
      : {}),
    ...JSON.parse(process.env.BENCH_ENV ?? '{}'),
  }
}
