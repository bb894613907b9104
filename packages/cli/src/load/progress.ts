/**
 * The live progress line on a terminal (elapsed, req/s, p99, errors), redrawn once a second on
 * stderr. Off when stderr is not a TTY or `CI` is set, so logs stay clean.
 */
import { formatMs } from '../units.js'
import type { Recorder } from './recorder.js'

export function progressEnabled(stream: NodeJS.WriteStream = process.stderr): boolean {
  return stream.isTTY === true && !process.env.CI
}

export interface Progress {
  setStage(stage: string): void
  stop(): void
}

export function startProgress(recorder: Recorder, stream: NodeJS.WriteStream = process.stderr): Progress {
  let stage = ''
  const draw = () => {
    const last = recorder.lastSecond()
    const elapsed = (recorder.elapsedMs() / 1000).toFixed(0)
    const errors = recorder.total > 0 ? ((recorder.failed / recorder.total) * 100).toFixed(2) : '0.00'
    const line = `${elapsed}s ${stage} ${last?.requests ?? 0} req/s  p99 ${formatMs(last?.p99 ?? 0)}  errors ${errors}%  total ${recorder.total}`
    stream.write(`\r\x1b[2K${line}`)
  }
  const timer = setInterval(draw, 1000)
  return {
    setStage: (s) => {
      stage = s
    },
    stop: () => {
      clearInterval(timer)
      stream.write('\r\x1b[2K')
    },
  }
}
