/**
 * Test Redis servers: the shared one on 6379 (random key prefixes only), and private redis-server
 * processes on free loopback ports (standalone or a 3-master cluster) that tests start, kill,
 * pause and restart by PID, and remove when done; a cluster also counts and closes its nodes' pub/sub
 * connections.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Cluster, Redis } from 'ioredis'

const run = promisify(execFile)

export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379'

export function randomPrefix(label: string): string {
  return `otelkit-test:${label}:${randomBytes(6).toString('hex')}:`
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** A free port whose cluster bus port (port + 10000) is free too, so both stay below 65536. */
export async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000)
    if ((await canBind(port)) && (await canBind(port + 10_000))) return port
  }
  throw new Error('no free port pair for a cluster node')
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const { stdout } = await run('redis-cli', ['-p', String(port), 'ping'])
      if (stdout.trim() === 'PONG') return
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A redis-server process of the test's own. */
export class RedisProcess {
  child: ChildProcess | undefined
  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly extra: string[] = [],
  ) {}

  static async start(extra: string[] = []): Promise<RedisProcess> {
    const port = extra.includes('--cluster-enabled') ? await freeClusterPort() : await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-redis-'))
    const server = new RedisProcess(port, dir, extra)
    await server.start()
    return server
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        ...this.extra,
      ],
      { stdio: 'ignore' },
    )
    await waitForPing(this.port)
  }

  kill(): Promise<void> {
    const child = this.child
    this.child = undefined
    if (!child || child.exitCode !== null) return Promise.resolve()
    return new Promise((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGKILL')
    })
  }

  pause(): void {
    this.child?.kill('SIGSTOP')
  }

  resume(): void {
    this.child?.kill('SIGCONT')
  }

  async stop(): Promise<void> {
    this.resume()
    await this.kill()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** A 3-master Redis Cluster on free loopback ports. */
export class TestCluster {
  constructor(readonly nodes: RedisProcess[]) {}

  static async start(): Promise<TestCluster> {
    const nodes: RedisProcess[] = []
    for (let i = 0; i < 3; i++) {
      nodes.push(
        await RedisProcess.start([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
        ]),
      )
    }
    const cluster = new TestCluster(nodes)
    try {
      await run('redis-cli', [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ])
      const deadline = Date.now() + 20_000
      for (;;) {
        const states = await Promise.all(
          nodes.map((n) => run('redis-cli', ['-p', String(n.port), 'cluster', 'info']).then((r) => r.stdout)),
        )
        if (states.every((s) => s.includes('cluster_state:ok'))) break
        if (Date.now() > deadline) throw new Error('cluster did not reach state ok')
        await new Promise((r) => setTimeout(r, 100))
      }
    } catch (error) {
      await cluster.stop()
      throw error
    }
    return cluster
  }

  client(): Cluster {
    return new Cluster(
      this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      { redisOptions: { maxRetriesPerRequest: 2 } },
    )
  }

  /** Closes every pub/sub connection on every node; returns how many were closed. */
  async killPubSubConnections(): Promise<number> {
    const killed = await this.onEveryNode(async (admin) =>
      Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')),
    )
    return killed.reduce((a, b) => a + b, 0)
  }

  /** How many pub/sub connections the nodes hold in all. */
  async pubSubConnections(): Promise<number> {
    const counts = await this.onEveryNode(async (admin) => {
      const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string
      return list.split('\n').filter((line) => line.trim() !== '').length
    })
    return counts.reduce((a, b) => a + b, 0)
  }

  /** `task` on a connection of its own to each node. */
  private onEveryNode<T>(task: (admin: Redis) => Promise<T>): Promise<T[]> {
    return Promise.all(
      this.nodes.map(async (node) => {
        const admin = new Redis({ host: '127.0.0.1', port: node.port })
        try {
          return await task(admin)
        } finally {
          admin.disconnect()
        }
      }),
    )
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()))
  }
}

export function sharedRedis(): Redis {
  return new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 2 })
}

/** Deletes every key under `prefix` on the shared server (SCAN + UNLINK). */
export async function cleanPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await redis.unlink(...keys)
  } while (cursor !== '0')
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}
