// CPU time of a process (user + system, all threads) in microseconds, from /proc.
import { readFileSync } from 'node:fs'

const TICK_US = 1e6 / 100 // USER_HZ is 100 on Linux

export function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  // fields[11] = utime, fields[12] = stime (after the "pid (comm) " prefix)
  return (Number(fields[11]) + Number(fields[12])) * TICK_US
}
