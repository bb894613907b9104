/**
 * Throw-away redis-server processes on free loopback ports, for fault tests: started as child
 * processes, stopped with SIGKILL by their PID, restartable on the same port; and a three-node
 * Redis Cluster built from them.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, portFree } from './service.js'

export interface TestRedis {
  port: number
  readonly url: string
  pid(): number | undefined
  kill(): Promise<void>
  start(): Promise<void>
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Options of {@link startTestRedis}. */
export interface TestRedisOptions {
  /** Extra redis-server arguments. */
  args?: string[]
  /** Also require port + 10000 (the cluster bus port) to be free and below 65536. */
  clusterBus?: boolean
}

/** A free port, and with `clusterBus` one whose bus port (port + 10000) is free as well. */
async function freeRedisPort(clusterBus: boolean): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort()
    if (!clusterBus) return port
    if (port + 10_000 < 65_536 && (await portFree(port + 10_000))) return port
  }
  throw new Error('no free port with a free cluster bus port (port + 10000) on 127.0.0.1')
}

/**
 * Starts redis-server on a free port. If the first start exits before listening (another process
 * took the port in between), it retries on a new port; a restart keeps its port, and a failure
 * names redis-server's last output.
 */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const { args: extraArgs = [], clusterBus = false } = options
  let child: ChildProcess | undefined
  const redis: TestRedis = {
    port: await freeRedisPort(clusterBus),
    get url() {
      return `redis://127.0.0.1:${this.port}`
    },
    pid: () => child?.pid,
    async start() {
      const port = redis.port
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...extraArgs,
      ]
      const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      child = proc
      let output = ''
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-2000)
      }
      proc.stdout?.on('data', keep)
      proc.stderr?.on('data', keep)
      let exited = false
      proc.once('exit', () => {
        exited = true
      })
      for (let i = 0; i < 400 && !exited; i++) {
        if (await accepting(port)) return
        await new Promise((r) => setTimeout(r, 25))
      }
      if (!exited) proc.kill('SIGKILL')
      throw new Error(
        `redis-server did not listen on ${port}${exited ? ' (it exited)' : ''}: ${output.trim()}`,
      )
    },
    async kill() {
      const proc = child
      if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      process.kill(proc.pid, 'SIGKILL')
      await exited
    },
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await redis.start()
      return redis
    } catch (error) {
      if (attempt >= 3) throw error
      redis.port = await freeRedisPort(clusterBus)
    }
  }
}

export interface TestCluster {
  nodes: TestRedis[]
  kill(): Promise<void>
}

/** Three masters in cluster mode (no replicas), slots assigned with redis-cli, until cluster_state:ok. */
export async function startTestCluster(): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'otelkit-redis-cluster-'))
  const nodes: TestRedis[] = []
  const cluster: TestCluster = {
    nodes,
    async kill() {
      await Promise.all(nodes.map((n) => n.kill()))
      await rm(dir, { recursive: true, force: true })
    },
  }
  try {
    for (let i = 0; i < 3; i++) {
      const conf = join(dir, `nodes-${i}.conf`)
      nodes.push(
        await startTestRedis({
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', conf, '--dir', dir],
          clusterBus: true,
        }),
      )
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`)
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes'])
    for (let i = 0; i < 400; i++) {
      const info = await run('redis-cli', ['-p', String(nodes[0]?.port), 'cluster', 'info'])
      if (info.includes('cluster_state:ok')) return cluster
      await new Promise((r) => setTimeout(r, 25))
    }
    throw new Error('redis cluster did not reach cluster_state:ok')
  } catch (error) {
    await cluster.kill()
    throw error
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 20_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)))
  })
}
