#!/usr/bin/env node
/** The `otelkit` binary: dispatches to a subcommand and turns errors into one line and an exit code. */
import { main } from './main.js'

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  () => {
    process.exitCode = 2
  },
)
