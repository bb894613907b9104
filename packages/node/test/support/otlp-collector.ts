/**
 * A real OTLP/gRPC receiver for tests: the stack's collector (otelcol-otelkit, built once by
 * scripts/stack.sh) with an `otlp` gRPC receiver (plain, or TLS with a given key and
 * certificate) and a `file` exporter; received span names, metric names and the headers the
 * receiver saw are read back from the file.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './service.js'

/** The repository's stack support (tests/support), outside this package's TypeScript project. */
const STACK_SUPPORT = new URL('../../../../tests/support/', import.meta.url)

interface StackSupport {
  stackBinary(name: string): string
  startDaemon(options: {
    name: string
    bin: string
    args: string[]
    dir: string
    readyUrl: string
  }): Promise<{ stop(): Promise<void> }>
}

async function stackSupport(): Promise<StackSupport> {
  const [bin, daemon] = await Promise.all([
    import(new URL('stack-bin.ts', STACK_SUPPORT).href),
    import(new URL('daemon.ts', STACK_SUPPORT).href),
  ])
  return { stackBinary: bin.stackBinary, startDaemon: daemon.startDaemon }
}

export interface OtlpCollector {
  /** e.g. http://127.0.0.1:43117 (https:// with TLS). */
  grpcEndpoint: string
  /** Span names received so far. */
  spanNames(): string[]
  /** Metric names received so far. */
  metricNames(): string[]
  /** Resolves once `predicate()` holds (polls; rejects after `timeoutMs`). */
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

/** Options of {@link startOtlpCollector}. */
export interface CollectorOptions {
  /** Serve gRPC over TLS with these PEM files. */
  tls?: { certPath: string; keyPath: string }
}

interface ExportLine {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ name: string }> }> }>
  resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: Array<{ name: string }> }> }>
}

export async function startOtlpCollector(options: CollectorOptions = {}): Promise<OtlpCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-collector-'))
  const [grpcPort, healthPort] = [await freePort(), await freePort()]
  const out = join(dir, 'received.jsonl')
  const tls = options.tls
    ? `\n        tls:\n          cert_file: ${options.tls.certPath}\n          key_file: ${options.tls.keyPath}`
    : ''
  writeFileSync(
    join(dir, 'config.yaml'),
    `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${grpcPort}${tls}
exporters:
  file:
    path: ${out}
    flush_interval: 100ms
extensions:
  health_check:
    endpoint: 127.0.0.1:${healthPort}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces: { receivers: [otlp], exporters: [file] }
    metrics: { receivers: [otlp], exporters: [file] }
`,
  )
  const { startDaemon, stackBinary } = await stackSupport()
  const daemon = await startDaemon({
    name: 'otelcol-otelkit',
    bin: stackBinary('otelcol-otelkit'),
    args: ['--config', `file:${join(dir, 'config.yaml')}`],
    dir,
    readyUrl: `http://127.0.0.1:${healthPort}/`,
  })
  const lines = (): ExportLine[] =>
    existsSync(out)
      ? readFileSync(out, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as ExportLine)
      : []
  const collector: OtlpCollector = {
    grpcEndpoint: `${options.tls ? 'https' : 'http'}://127.0.0.1:${grpcPort}`,
    spanNames: () =>
      lines().flatMap((l) =>
        (l.resourceSpans ?? []).flatMap((rs) =>
          (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => s.name)),
        ),
      ),
    metricNames: () =>
      lines().flatMap((l) =>
        (l.resourceMetrics ?? []).flatMap((rm) =>
          (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).map((m) => m.name)),
        ),
      ),
    async waitFor(predicate, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} at the collector`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    stop: () => daemon.stop(),
  }
  return collector
}
