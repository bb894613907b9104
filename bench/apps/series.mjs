// node:http app for the hostile-scrape benchmark: /series/<n>/<status> answers <status> under
// the route template /series/<n> (fills http.server.request.duration series); anything else
// answers 200 "ok" under /ok. Run under the built preload (its public API is imported from dist).
import http from 'node:http'
import { setHttpRoute } from '../../packages/node/dist/index.js'

const server = http.createServer((req, res) => {
  const parts = (req.url ?? '/').split('/')
  if (parts[1] === 'series') {
    setHttpRoute(req, `/series/${parts[2]}`)
    res.writeHead(Number(parts[3]) || 200).end('series')
    return
  }
  setHttpRoute(req, '/ok')
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
})
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`)
})
