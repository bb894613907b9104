/**
 * Waiting for something that happens a moment later (host and runtime metrics start after the
 * SDK, off its start-up path): asks again every 50 ms until `check` is true or `timeoutMs` passes,
 * then returns the last answer for the test to assert on.
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
