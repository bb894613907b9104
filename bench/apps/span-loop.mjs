// The span pipeline alone, in process (for bench/span-pipeline.bench.mjs): N "requests" of three
// spans each (a server span with the attributes otelkit's HTTP server sets, a pg and a Redis
// client span under it) through the global tracer the preload registered, yielding to the event
// loop every 20 requests so that exports run. Prints the process CPU time (all threads) per
// request as JSON.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(join(fileURLToPath(import.meta.url), '../../../packages/node/package.json'))
const { context, SpanKind, trace } = require('@opentelemetry/api')

const N = Number(process.env.SPAN_LOOP_REQUESTS ?? 60000)
const tracer = trace.getTracer('span-loop')

function request(i) {
  const server = tracer.startSpan('GET', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'url.path': `/items/${i % 1000}`,
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'server.address': '127.0.0.1',
      'server.port': 3000,
      'client.address': '127.0.0.1',
    },
  })
  const ctx = trace.setSpan(context.active(), server)
  const pg = tracer.startSpan(
    'SELECT bench_items',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'postgresql',
        'db.query.text': 'SELECT id, name, price FROM bench_items WHERE id = $1',
        'server.address': '127.0.0.1',
        'server.port': 5432,
        'db.namespace': 'test',
        'db.operation.name': 'SELECT',
        'db.collection.name': 'bench_items',
      },
    },
    ctx,
  )
  const redis = tracer.startSpan(
    'get',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'redis',
        'db.operation.name': 'GET',
        'db.namespace': '0',
        'db.query.text': 'GET ?',
        'server.address': '127.0.0.1',
        'server.port': 6379,
      },
    },
    ctx,
  )
  redis.end()
  pg.end()
  server.setAttribute('http.response.status_code', 200)
  server.setAttribute('http.route', '/items/:id')
  server.updateName('GET /items/:id')
  server.end()
}

async function run(n) {
  for (let i = 0; i < n; i++) {
    request(i)
    if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
}

await run(N / 4) // warm-up: JIT and heap settle
const before = process.cpuUsage()
await run(N)
const used = process.cpuUsage(before)
process.stdout.write(`${JSON.stringify({ cpuUsPerRequest: (used.user + used.system) / N })}\n`)
process.exit(0)
