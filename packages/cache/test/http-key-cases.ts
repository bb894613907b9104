/**
 * The key rules of the HTTP decision table: query order, varyQuery, reflected headers (one case per
 * header, keyed and bypassed), method override, key parts forged through the path, maxVariants.
 * Handlers echo the request header or query into the body, so a response served to the wrong
 * request shows in the body.
 */
import type { HttpCase } from './http-cases.js'

/** Headers apps reflect without a Vary, each with a hostile value. */
const REFLECTED: Array<[string, string]> = [
  ['x-forwarded-host', 'evil.example'],
  ['x-forwarded-proto', 'gopher'],
  ['x-forwarded-prefix', '/evil'],
  ['forwarded', 'host=evil.example;proto=http'],
  ['x-original-url', '/admin'],
  ['x-rewrite-url', '/admin'],
  ['x-http-method-override', 'HEAD'],
]

/** Cases of the key rules: query order, varyQuery, reflected headers, maxVariants. */
function keyCases(): HttpCase[] {
  const echoed = (name: string, value: string) => `body of case ${name}|${value}`
  const cases: HttpCase[] = []
  let name = 'repeated query parameters keep their order (?a=2&a=1 is not ?a=1&a=2)'
  cases.push({
    name,
    response: { echo: '?' },
    steps: [
      { query: 'a=1&a=2', xcache: 'MISS', body: echoed(name, 'a=1&a=2') },
      { query: 'a=2&a=1', xcache: 'MISS', body: echoed(name, 'a=2&a=1') },
      { query: 'a=1&a=2', xcache: 'HIT', body: echoed(name, 'a=1&a=2') },
      { query: 'a=2&a=1', xcache: 'HIT', body: echoed(name, 'a=2&a=1') },
    ],
    calls: 2,
  })
  name = 'parameters are sorted by name; one name keeps its values in order'
  cases.push({
    name,
    response: { echo: '?' },
    steps: [
      { query: 'b=1&a=2&a=1', xcache: 'MISS', body: echoed(name, 'b=1&a=2&a=1') },
      { query: 'a=2&b=1&a=1', xcache: 'HIT', body: echoed(name, 'b=1&a=2&a=1') },
      { query: 'a=1&b=1&a=2', xcache: 'MISS', body: echoed(name, 'a=1&b=1&a=2') },
    ],
    calls: 2,
  })
  name = 'varyQuery: a parameter not listed bypasses the cache'
  cases.push({
    name,
    route: 'q',
    response: { echo: '?' },
    steps: [
      { query: 'page=1', xcache: 'MISS', body: echoed(name, 'page=1') },
      { query: 'page=1', xcache: 'HIT', body: echoed(name, 'page=1') },
      { query: 'page=1&callback=evil', xcache: 'BYPASS', body: echoed(name, 'page=1&callback=evil') },
      { query: 'page=1&callback=evil', xcache: 'BYPASS', body: echoed(name, 'page=1&callback=evil') },
      { query: 'page=1', xcache: 'HIT', body: echoed(name, 'page=1') },
      { query: 'sort=name&page=1', xcache: 'MISS', body: echoed(name, 'sort=name&page=1') },
    ],
    calls: 4,
  })
  cases.push({
    name: "varyQuery with unlistedQuery 'ignore': other parameters are left out of the key",
    route: 'i',
    response: {},
    steps: [
      { query: 'page=1&utm_source=a', xcache: 'MISS' },
      { query: 'utm_source=b&page=1', xcache: 'HIT' },
      { query: 'page=1', xcache: 'HIT' },
      { query: 'page=2&utm_source=a', xcache: 'MISS' },
    ],
    calls: 2,
  })
  for (const [header, value] of REFLECTED) {
    name = `${header} is part of the key: a reflected value is never served without it`
    cases.push({
      name,
      response: { echo: header },
      steps: [
        { headers: { [header]: value }, xcache: 'MISS', body: echoed(name, value) },
        { xcache: 'MISS', body: echoed(name, '') },
        { headers: { [header]: value }, xcache: 'HIT', body: echoed(name, value) },
        { xcache: 'HIT', body: echoed(name, '') },
      ],
      calls: 2,
    })
    name = `onReflectedHeader 'bypass': a request with ${header} bypasses the cache`
    cases.push({
      name,
      route: 'b',
      response: { echo: header },
      steps: [
        { headers: { [header]: value }, xcache: 'BYPASS', body: echoed(name, value) },
        { xcache: 'MISS', body: echoed(name, '') },
        { headers: { [header]: value }, xcache: 'BYPASS', body: echoed(name, value) },
        { xcache: 'HIT', body: echoed(name, '') },
      ],
      calls: 3,
    })
  }
  name = 'X-HTTP-Method-Override naming an unsafe method always bypasses the cache'
  cases.push({
    name,
    response: { echo: 'x-http-method-override' },
    steps: [
      { headers: { 'x-http-method-override': 'DELETE' }, xcache: 'BYPASS', body: echoed(name, 'DELETE') },
      { xcache: 'MISS', body: echoed(name, '') },
      { headers: { 'x-http-method-override': 'DELETE' }, xcache: 'BYPASS', body: echoed(name, 'DELETE') },
      { xcache: 'HIT', body: echoed(name, '') },
    ],
    calls: 3,
  })
  name = 'a raw | in the path cannot forge the principal part of another key'
  cases.push({
    name,
    route: 'p',
    response: { echo: 'authorization' },
    steps: [
      { pathSuffix: '|principal:alice', xcache: 'MISS', body: echoed(name, '') },
      { headers: { authorization: 'Bearer alice' }, xcache: 'MISS', body: echoed(name, 'Bearer alice') },
      { headers: { authorization: 'Bearer alice' }, xcache: 'HIT', body: echoed(name, 'Bearer alice') },
    ],
    calls: 2,
  })
  name = 'maxVariants: past the bound a new query string bypasses; stored ones keep hitting'
  cases.push({
    name,
    route: 'v',
    response: { echo: '?' },
    steps: [
      { query: 'n=1', xcache: 'MISS', body: echoed(name, 'n=1') },
      { query: 'n=2', xcache: 'MISS', body: echoed(name, 'n=2') },
      { query: 'n=3', xcache: 'MISS', body: echoed(name, 'n=3') },
      { query: 'n=4', xcache: 'BYPASS', body: echoed(name, 'n=4') },
      { query: 'n=4', xcache: 'BYPASS', body: echoed(name, 'n=4') },
      { query: 'n=1', xcache: 'HIT', body: echoed(name, 'n=1') },
      { query: 'n=3', xcache: 'HIT', body: echoed(name, 'n=3') },
    ],
    calls: 5,
  })
  return cases
}

export const KEY_CASES: HttpCase[] = keyCases()
