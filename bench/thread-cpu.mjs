// CPU time per request of each of the server's threads (user and system, from
// /proc/<pid>/task/*/stat), for sequential keep-alive requests after a warm-up: tells whether a
// difference between variants is the main thread's JavaScript, the kernel or V8's helper threads.
// Not part of `pnpm bench`.
//   node bench/thread-cpu.mjs [express|hello|shop-api] [bare|otelkit|otelkit-10|<register path>] [requests] [warm-up]
import http from 'node:http'
import { threadCpuMicros } from './lib/cpu.mjs'
import { freePort, getOk, startServer, startSink, stopServer } from './lib/harness.mjs'
import { requestApp, variantEnv, variantFlags } from './lib/request-apps.mjs'

const [appName = 'express', variant = 'otelkit', requestsArg = '20000', warmArg = '30000'] =
  process.argv.slice(2)
const REQUESTS = Number(requestsArg)
const app = requestApp(appName)
const sink = await startSink()
const server = await startServer({
  args: [...variantFlags(variant), app.script],
  cwd: app.cwd,
  env: variantEnv(app, variant, sink.url, await freePort(), await freePort()),
})
const pid = server.child.pid
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

for (let i = 0; i < Number(warmArg); i++) await getOk(agent, server.port, app.path)
const before = threadCpuMicros(pid)
for (let i = 0; i < REQUESTS; i++) await getOk(agent, server.port, app.path)
const after = threadCpuMicros(pid)
await stopServer(server)
agent.destroy()
sink.server.close()

const perRequest = (micros) => (micros / REQUESTS).toFixed(1)
const rows = [...after]
  .map(([name, t]) => [
    name,
    t.user - (before.get(name)?.user ?? 0),
    t.system - (before.get(name)?.system ?? 0),
  ])
  .filter(([, user, system]) => user + system > 0)
  .map(([name, user, system]) => `${name}: user ${perRequest(user)} µs, system ${perRequest(system)} µs`)
console.log(`${appName}, ${variant}, CPU per request: ${rows.join('; ')}`)
