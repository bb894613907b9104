/**
 * Throw-away redis-server processes on free loopback ports, for fault tests: started as child
 * processes, stopped with SIGKILL by their PID, restartable on the same port; and a three-node
 * Redis Cluster built from them.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestRedis {
  port: number
  url: string
  pid(): number | undefined
  kill(): Promise<void>
  start(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
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

export async function startTestRedis(extraArgs: string[] = []): Promise<TestRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const redis: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => child?.pid,
    async start() {
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
      child = spawn('redis-server', args, { stdio: 'ignore' })
      for (let i = 0; i < 200; i++) {
        if (await accepting(port)) return
        await new Promise((r) => setTimeout(r, 25))
      }
      throw new Error(`redis-server did not listen on ${port}`)
    },
    async kill() {
      const proc = child
      if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      process.kill(proc.pid, 'SIGKILL')
      await exited
    },
  }
  await redis.start()
  return redis
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
        await startTestRedis(['--cluster-enabled', 'yes', '--cluster-config-file', conf, '--dir', dir]),
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
