// CPU time of a process (user + system, all threads), or of each of its threads, in
// microseconds, from /proc.
import { readdirSync, readFileSync } from 'node:fs'

const TICK_US = 1e6 / 100 // USER_HZ is 100 on Linux

/** utime and stime of a /proc stat line, in µs (fields 14 and 15, after the "pid (comm) " prefix). */
function userAndSystem(stat) {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { user: Number(fields[11]) * TICK_US, system: Number(fields[12]) * TICK_US }
}

export function cpuMicros(pid) {
  const { user, system } = userAndSystem(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  return user + system
}

/** User and system time (µs) of each thread of `pid`, summed by thread name (the main thread as `main`). */
export function threadCpuMicros(pid) {
  const times = new Map()
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let stat
    try {
      stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8')
    } catch {
      continue // the thread ended
    }
    const name = task === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    const { user, system } = userAndSystem(stat)
    const sum = times.get(name) ?? { user: 0, system: 0 }
    sum.user += user
    sum.system += system
    times.set(name, sum)
  }
  return times
}
