/** Starts shop-api: `node --import @otelkit/node/register dist/server.js`. */
import { createApp } from './app.js'
import { settings } from './config.js'
import { closeConnections } from './db.js'

const server = createApp().listen(settings.port, settings.host, () => {
  console.log(
    `shop-api listening on http://${settings.host === '0.0.0.0' ? 'localhost' : settings.host}:${settings.port}`,
  )
})

function stop(signal: NodeJS.Signals) {
  console.log(`shop-api: ${signal}, closing`)
  server.close(() => {
    void closeConnections().then(() => process.exit(0))
  })
  server.closeIdleConnections()
  setTimeout(() => process.exit(1), 5000).unref()
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
