/**
 * A throw-away redis-server on a free loopback port, for fault tests: started as a child
 * process, stopped with SIGKILL by its PID, restartable on the same port.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { connect, createServer } from 'node:net'

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

export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const redis: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => child?.pid,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      )
      for (let i = 0; i < 200; i++) {
        if (await accepting(port)) return
        await new Promise((r) => setTimeout(r, 25))
      }
      throw new Error(`redis-server did not listen on ${port}`)
    },
    async kill() {
      const proc = child
      if (!proc?.pid || proc.exitCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      process.kill(proc.pid, 'SIGKILL')
      await exited
    },
  }
  await redis.start()
  return redis
}
