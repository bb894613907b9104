/**
 * The logs signal loads sdk-logs and its exporter on a logger's first record, not when a logger
 * is made: every upstream instrumentation asks for a logger in its constructor, and loading the
 * logs SDK there put about 80 ms of module loading on the event loop for services that log nothing.
 */
import { logs, metrics, SeverityNumber } from '@opentelemetry/api'
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load.js'
import { type RunningLogs, startLogs } from '../src/logs/provider.js'

let running: RunningLogs | undefined
afterEach(async () => {
  await running?.shutdown()
  running = undefined
})

function start(): RunningLogs {
  const config = loadConfig(undefined, {
    OTEL_LOGS_EXPORTER: 'otlp',
    // Nothing listens there: a record still queued at shutdown is given up within the timeout.
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
    OTEL_EXPORTER_OTLP_TIMEOUT: '300',
  })
  const dropped = metrics.getMeter('test').createCounter('test.dropped')
  const logsSignal = startLogs(config, resourceFromAttributes({ 'service.name': 'lazy-logs' }), dropped)
  if (logsSignal === undefined) throw new Error('OTEL_LOGS_EXPORTER=otlp should start the logs signal')
  return logsSignal
}

describe('the global logger provider', () => {
  it('loads nothing when an upstream instrumentation asks for a logger in its constructor', () => {
    running = start()
    const instrumentation = new RuntimeNodeInstrumentation({ enabled: false })
    logs.getLogger('some-library')
    expect(instrumentation.instrumentationName).toBe('@opentelemetry/instrumentation-runtime-node')
    expect(running.loaded).toBe(false)
  })

  it('loads the logs SDK on the first record and hands it to the real logger', () => {
    running = start()
    const logger = logs.getLogger('app-logger')
    expect(running.loaded).toBe(false)
    logger.emit({ body: 'hello', severityNumber: SeverityNumber.INFO })
    expect(running.loaded).toBe(true)
    // A logger made after loading is the SDK's own, and answers enabled() for INFO records.
    expect(logs.getLogger('later').enabled({ severityNumber: SeverityNumber.INFO })).toBe(true)
  })

  it('loads on an enabled() question too, since a bridge asks it before building a record', () => {
    running = start()
    expect(logs.getLogger('bridge').enabled({ severityNumber: SeverityNumber.WARN })).toBe(true)
    expect(running.loaded).toBe(true)
  })

  it('after shutdown, a logger made earlier neither loads the SDK nor throws', async () => {
    running = start()
    const logger = logs.getLogger('early')
    await running.shutdown()
    expect(() => logger.emit({ body: 'late' })).not.toThrow()
    expect(running.loaded).toBe(false)
  })
})
