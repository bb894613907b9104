/** The Express application: routes, JSON errors, 404. */
import express, { type ErrorRequestHandler } from 'express'
import { faultInjection, faultSettingsFromEnv } from './faults.js'
import { HttpError } from './http-errors.js'
import { catalogRouter } from './routes/catalog.js'
import { miscRouter } from './routes/misc.js'
import { ordersRouter } from './routes/orders.js'
import { productsRouter } from './routes/products.js'

export function createApp() {
  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '100kb' }))
  const faults = faultInjection(faultSettingsFromEnv())
  app.use(faults.router)
  app.use(faults.middleware)
  app.get('/', (_req, res) => {
    res.json({
      service: 'shop-api',
      routes: [
        '/products',
        '/products/search?q=',
        '/products/:id',
        '/catalog/products',
        '/catalog/products/:id',
        'POST /orders',
      ],
    })
  })
  app.use('/products', productsRouter)
  app.use('/catalog', catalogRouter)
  app.use('/orders', ordersRouter)
  app.use(miscRouter)
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' })
  })
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = error instanceof HttpError ? error.status : (error?.status ?? 500)
    if (status >= 500 && !(error instanceof HttpError)) console.error(error)
    res
      .status(status)
      .json({ error: status >= 500 && !(error instanceof HttpError) ? 'internal error' : error.message })
  }
  app.use(onError)
  return app
}
