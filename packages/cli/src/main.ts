/** Subcommand dispatch, top-level help and the one-line error report. */
import { createRequire } from 'node:module'
import { doctorCommand } from './commands/doctor.js'
import { loadCommand } from './commands/load.js'
import { profileCommand } from './commands/profile.js'
import { CliError, EXIT } from './errors.js'

const HELP = `Usage: otelkit <command> [options]

Commands:
  load      run a load test (URL or scenario), check thresholds, write JSON/HTML reports
  profile   fetch a CPU or heap profile (pprof) from a service's ops server
  doctor    check a running service: ops server, metrics, instrumentations, exporter, health

Run "otelkit <command> --help" for the options of a command.
Options: -h, --help   -v, --version`

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  load: loadCommand,
  profile: profileCommand,
  doctor: doctorCommand,
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (!command || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(`${HELP}\n`)
      return command ? EXIT.ok : EXIT.error
    }
    if (command === '-v' || command === '--version') {
      const pkg = createRequire(import.meta.url)('../package.json') as { version: string }
      process.stdout.write(`${pkg.version}\n`)
      return EXIT.ok
    }
    const run = COMMANDS[command]
    if (!run)
      throw new CliError(
        'OTELKIT_CLI_USAGE',
        `unknown command ${JSON.stringify(command)}; use load, profile or doctor`,
      )
    return await run(rest)
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`otelkit: ${error.message} [${error.code}]\n`)
      return error.exitCode
    }
    process.stderr.write(`otelkit: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`)
    return EXIT.error
  }
}
