/**
 * `CLIENT SETINFO`, which Redis clients (ioredis, node-redis, redis-py) send on every connection
 * and whose failure they ignore by design: Redis added it in 7.2, and the protocol asks clients to
 * pipeline it after authentication and to ignore an error from an older server. Its rejection is
 * no failure of the service, so otelkit records the command without an error: no error status,
 * no `error.type` label on `db.client.operation.duration`, nothing in error tracking. Every other
 * failed command, a failed AUTH or HELLO of the same handshake too, stays an error.
 */

/** Whether `command` with `args` (as given, or as ioredis sanitised them) is `CLIENT SETINFO`. */
export function isClientInfoCommand(command: string, args: ArrayLike<unknown> | undefined): boolean {
  if (command.length !== 6 || command.toUpperCase() !== 'CLIENT') return false
  const subcommand = args?.[0]
  const text =
    typeof subcommand === 'string' ? subcommand : Buffer.isBuffer(subcommand) ? subcommand.toString() : ''
  return text.toUpperCase() === 'SETINFO'
}
