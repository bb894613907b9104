// Runs one autocannon load in its own process (so the load generator never shares the server's
// event loop) and prints the result as JSON: node load.mjs '<json options>'.
import autocannon from 'autocannon'

const options = JSON.parse(process.argv[2])
const ids = options.idRange
if (ids) {
  let n = 0
  options.requests = [
    {
      setupRequest: (req) => {
        n = (n + 7919) % (ids[1] - ids[0] + 1)
        return { ...req, path: options.pathTemplate.replace(':id', String(ids[0] + n)) }
      },
    },
  ]
}
const result = await autocannon({ ...options, idRange: undefined, pathTemplate: undefined })
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
  })}\n`,
)
