// The span pipeline in process, without HTTP or databases (bench/apps/span-loop.mjs): CPU time
// per request of three spans, with the spans recorded but not exported (OTEL_TRACES_EXPORTER=none)
// and with every span exported over OTLP/HTTP protobuf to a local sink; no preload as the floor
// (the API's no-op tracer). Less sensitive to a busy machine than the HTTP benchmarks: CPU time of
// one process, no sockets on the request path. BENCH_COMPARE_REGISTER adds another build.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { median, NODE, ROOT, startSink } from './lib/harness.mjs'
import { COMPARE_REGISTER, OTELKIT_REGISTER } from './lib/preloads.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const sink = await startSink()
const env = {
  OTEL_SERVICE_NAME: 'bench',
  OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
  OTEL_METRICS_EXPORTER: 'prometheus',
  OTEL_LOG_LEVEL: 'error',
  OTELKIT_OPS_PORT: '0',
}
const VARIANTS = {
  'no preload (no-op API)': { flags: [], env: {} },
  'otelkit, recorded, not exported': {
    flags: ['--import', OTELKIT_REGISTER],
    env: { ...env, OTEL_TRACES_EXPORTER: 'none' },
  },
  'otelkit, every span exported': {
    flags: ['--import', OTELKIT_REGISTER],
    env: { ...env, OTEL_TRACES_EXPORTER: 'otlp' },
  },
}
if (COMPARE_REGISTER) {
  VARIANTS['compared build, recorded, not exported'] = {
    flags: ['--import', COMPARE_REGISTER],
    env: { ...env, OTEL_TRACES_EXPORTER: 'none' },
  }
  VARIANTS['compared build, every span exported'] = {
    flags: ['--import', COMPARE_REGISTER],
    env: { ...env, OTEL_TRACES_EXPORTER: 'otlp' },
  }
}

function runOnce(variant) {
  // Asynchronous: a synchronous spawn would block the sink in this process.
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [...variant.flags, join(ROOT, 'bench/apps/span-loop.mjs')], {
      env: { ...process.env, ...variant.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`span loop exited with ${code}`))
      else resolve(JSON.parse(out.trim().split('\n').pop()).cpuUsPerRequest)
    })
  })
}

const results = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, variant] of Object.entries(VARIANTS)) results[name].push(await runOnce(variant))
}
const floor = median(results['no preload (no-op API)'])
const lines = [
  '## Span pipeline in process (`bench/span-pipeline.bench.mjs`)',
  '',
  `Command: \`pnpm bench span-pipeline\`. CPU time (user + system, all threads) per request of three spans (server, pg, Redis, with the attributes otelkit's instrumentations set), ${ROUNDS} interleaved rounds of one process each; median (min–max) in µs.`,
  '',
  '| variant | CPU µs / request | over no preload | per span |',
  '| --- | --- | --- | --- |',
]
for (const [name, values] of Object.entries(results)) {
  const m = median(values)
  const f = (n) => n.toFixed(1)
  lines.push(
    `| ${name} | ${f(m)} (${f(Math.min(...values))}–${f(Math.max(...values))}) | ${name.startsWith('no preload') ? '' : `+${f(m - floor)}`} | ${name.startsWith('no preload') ? '' : f((m - floor) / 3)} |`,
  )
}
sink.server.close()
process.stdout.write(`${lines.join('\n')}\n`)
