/**
 * The keep-alive agent of the OTLP/HTTP transport. It keeps an idle socket as Node's own agent
 * does, but reads the server's `Keep-Alive: timeout=N` hint from the raw response headers the
 * transport notes for it, where Node's `Agent#keepSocketAlive` reads the response's `headers` getter
 * after every response. That getter is shared with the application's incoming requests, and a
 * client response is one more kind of object for its property loads: with the export's responses
 * going through it, it turned megamorphic for every request the application serves (about 1,100
 * instructions per request, BENCHMARKS.md, "The export's HTTP client on the application's thread").
 */
import type http from 'node:http'
import type { Socket } from 'node:net'

/**
 * Node's rule for the hint (its agent has no idle timeout of its own here): a socket whose server
 * announced an idle timeout of at most this many seconds is not reused, since the server may close
 * it before the next request (Node keeps a one-second safety margin).
 */
const SHORTEST_REUSABLE_HINT_S = 1

/** Sockets whose last response announced an idle timeout too short to reuse them. */
const shortLived = new WeakSet<object>()

/**
 * Notes the `Keep-Alive` header of a response (undefined when absent) for the socket it came on;
 * the transport calls it for every response, before the socket is handed back to the agent.
 */
export function noteKeepAliveHint(socket: object | null, keepAlive: string | undefined): void {
  if (socket === null) return
  const seconds = keepAlive === undefined ? undefined : /^timeout=(\d+)/.exec(keepAlive)?.[1]
  if (seconds !== undefined && Number(seconds) <= SHORTEST_REUSABLE_HINT_S) shortLived.add(socket)
  else shortLived.delete(socket)
}

type AgentClass = new (options: http.AgentOptions) => http.Agent

/** `Base` (http.Agent or https.Agent) keeping idle sockets by the hints noted above. */
export function exportAgentClass<T extends AgentClass>(Base: T): T {
  return class ExportAgent extends (Base as AgentClass) {
    // Node passes the agent's own sockets (net or TLS), which `Duplex` types too widely.
    override keepSocketAlive(socket: Socket): boolean {
      socket.setKeepAlive(true, (this as unknown as { keepAliveMsecs: number }).keepAliveMsecs)
      socket.unref()
      // The request's own timeout does not apply to an idle socket (Node's agent does the same).
      if (socket.timeout !== 0) socket.setTimeout(0)
      return !shortLived.has(socket)
    }
  } as unknown as T
}
