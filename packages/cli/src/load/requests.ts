/**
 * Draws the next request of a scenario: picks one by weight, draws its parameters and fills the
 * `{param}` placeholders of path, headers and body.
 */
import type { Param, Scenario, ScenarioRequest } from './scenario.js'

export interface DrawnRequest {
  name: string
  method: string
  path: string
  headers: Record<string, string>
  body: string | undefined
}

type Random = () => number

function drawParam(param: Param, random: Random): string | number {
  if (Array.isArray(param)) return param[Math.floor(random() * param.length)]!
  if ('list' in param) return param.list[Math.floor(random() * param.list.length)]!
  const [min, max] = param.range
  return min + Math.floor(random() * (max - min + 1))
}

const PLACEHOLDER = /\{(\w+)\}/g

function fill(template: string, values: Record<string, string | number>, encode = (v: string) => v): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    name in values ? encode(String(values[name])) : whole,
  )
}

/** Object bodies: a string equal to `{name}` becomes the raw value (numbers stay numbers). */
function fillJson(value: unknown, values: Record<string, string | number>): unknown {
  if (typeof value === 'string') {
    const exact = /^\{(\w+)\}$/.exec(value)
    if (exact?.[1] && exact[1] in values) return values[exact[1]]
    return fill(value, values)
  }
  if (Array.isArray(value)) return value.map((item) => fillJson(item, values))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillJson(item, values)]))
  }
  return value
}

export interface RequestPicker {
  next(): DrawnRequest
  names: string[]
}

export function createRequestPicker(scenario: Scenario, random: Random = Math.random): RequestPicker {
  const requests = scenario.requests
  const total = requests.reduce((sum, r) => sum + r.weight, 0)
  const cumulative: number[] = []
  let acc = 0
  for (const r of requests) {
    acc += r.weight
    cumulative.push(acc / total)
  }
  const nameOf = (r: ScenarioRequest) => r.name ?? `${r.method.toUpperCase()} ${r.path}`
  return {
    names: requests.map(nameOf),
    next() {
      const x = random()
      let index = cumulative.findIndex((c) => x < c)
      if (index < 0) index = requests.length - 1
      const r = requests[index]!
      const values: Record<string, string | number> = {}
      for (const [key, param] of Object.entries({ ...scenario.params, ...r.params })) {
        values[key] = drawParam(param, random)
      }
      const headers: Record<string, string> = {}
      for (const [key, value] of Object.entries({ ...scenario.headers, ...r.headers }))
        headers[key] = fill(value, values)
      let body: string | undefined
      if (typeof r.body === 'string') body = fill(r.body, values)
      else if (r.body !== undefined) {
        body = JSON.stringify(fillJson(r.body, values))
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
          headers['content-type'] = 'application/json'
      }
      return {
        name: nameOf(r),
        method: r.method.toUpperCase(),
        path: fill(r.path, values, encodeURIComponent),
        headers,
        body,
      }
    },
  }
}
