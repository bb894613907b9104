/**
 * The realistic mix: mostly reads, some orders, a slow report now and then, the upstream call,
 * and the deliberately failing route at a low rate (so error dashboards have something to show;
 * the error threshold allows for it).
 */
import type { ScenarioInput } from '@otelkit/cli'

const scenario: ScenarioInput = {
  name: 'mixed',
  target: 'http://127.0.0.1:8080',
  connections: 30,
  params: { id: { range: [1, 5000] } },
  requests: [
    {
      name: 'list products',
      weight: 20,
      path: '/products?page={page}&limit={limit}',
      params: { page: { range: [1, 50] }, limit: [10, 20, 50] },
    },
    { name: 'product by id', weight: 40, path: '/products/{id}' },
    {
      name: 'search',
      weight: 10,
      path: '/products/search?q={q}',
      params: { q: ['books', 'garden', 'item 4', 'tools', 'music item'] },
    },
    {
      name: 'place order',
      weight: 8,
      method: 'POST',
      path: '/orders',
      body: { email: 'mixed-{n}@example.test', items: [{ productId: '{id}', quantity: 1 }] },
      params: { n: { range: [1, 1000000] } },
    },
    { name: 'slow report', weight: 1, path: '/reports/slow' },
    { name: 'upstream', weight: 3, path: '/upstream' },
    { name: 'failing route', weight: 1, path: '/fail' },
  ],
  stages: [
    { name: 'ramp-up', duration: '20s', target: 200 },
    { name: 'steady', duration: '2m', target: 200 },
    { name: 'ramp-down', duration: '10s', target: 0 },
  ],
  thresholds: ['p99<1s', 'errors<3%'],
}

export default scenario
