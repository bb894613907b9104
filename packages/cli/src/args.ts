/** A thin wrapper around `node:util` parseArgs that turns its errors into one-line usage errors. */
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { usageError } from './errors.js'

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  command: string,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '')
    throw usageError(`${command}: ${message} (see otelkit ${command} --help)`)
  }
}
