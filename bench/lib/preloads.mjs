// The preloads the overhead benchmarks compare: otelkit's built register entry, and the stock
// OpenTelemetry auto-instrumentation register entry with its ESM loader (without the loader it
// instruments nothing in an ES module app).
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { ROOT } from './harness.mjs'

const rootRequire = createRequire(join(ROOT, 'package.json'))
const stockRegister = rootRequire
  .resolve('@opentelemetry/auto-instrumentations-node/register')
  .replace(/register\.cjs$/, 'register.mjs')
const stockHook = createRequire(stockRegister).resolve('@opentelemetry/instrumentation/hook.mjs')

export const OTELKIT_REGISTER = join(ROOT, 'packages/node/dist/register.js')
export const OTELKIT_FLAGS = ['--import', OTELKIT_REGISTER]
/**
 * Another build of the register entry to run beside the current one (`BENCH_COMPARE_REGISTER`,
 * e.g. a copy of packages/node/dist made before a change), for before/after in one run.
 */
export const COMPARE_REGISTER = process.env.BENCH_COMPARE_REGISTER
export const STOCK_REGISTER = stockRegister
export const STOCK_FLAGS = ['--import', stockRegister, '--experimental-loader', stockHook, '--no-warnings']

/** A free-looking port for the stock Prometheus exporter (it has no "any port" setting). */
export function stockPrometheusPort() {
  return String(19000 + Math.floor(Math.random() * 900))
}

/** Environment of the start-up benchmarks: no trace export, Prometheus metrics, errors only. */
const METRICS_ONLY_ENV = {
  OTEL_SERVICE_NAME: 'bench',
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'prometheus',
  OTEL_LOG_LEVEL: 'error',
}

/**
 * bare, otelkit, the compared build when BENCH_COMPARE_REGISTER is set (with `compare`), and
 * stock, each with its flags and an `env()` giving a fresh environment for one run.
 */
export function metricsOnlyVariants({ compare = false } = {}) {
  const otelkitEnv = () => ({ ...METRICS_ONLY_ENV, OTELKIT_OPS_PORT: '0' })
  return {
    bare: { flags: [], env: () => ({}) },
    otelkit: { flags: OTELKIT_FLAGS, env: otelkitEnv },
    ...(compare && COMPARE_REGISTER
      ? { compared: { flags: ['--import', COMPARE_REGISTER], env: otelkitEnv } }
      : {}),
    stock: {
      flags: STOCK_FLAGS,
      env: () => ({ ...METRICS_ONLY_ENV, OTEL_EXPORTER_PROMETHEUS_PORT: stockPrometheusPort() }),
    },
  }
}
