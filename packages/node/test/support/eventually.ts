/**
 * Waiting for something that happens a moment later (host and runtime metrics start after the
 * SDK, a health check's background run, an export): asks again every `intervalMs` until `check`
 * is true or `timeoutMs` passes.
 */

/** How long to wait and how often to ask. */
export interface WaitOptions {
  /** Give up after this long (default 10,000 ms). */
  timeoutMs?: number
  /** Ask again this often (default 50 ms). */
  intervalMs?: number
}

/** Resolves to whether `check` became true in time; the test asserts on that answer. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  { timeoutMs = 10_000, intervalMs = 50 }: WaitOptions = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Like `eventually`, but throws `timed out waiting for <what>` when `check` never became true. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  options: WaitOptions = {},
): Promise<void> {
  if (!(await eventually(check, options))) throw new Error(`timed out waiting for ${what}`)
}
