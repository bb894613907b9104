/** Errors with an HTTP status, and the validation helpers the routes use. */
export class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.name = status >= 500 ? 'HttpError' : 'ValidationError'
    this.status = status
  }
}

export function positiveInt(
  value: unknown,
  name: string,
  fallback?: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined && fallback !== undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new HttpError(400, `${name} must be a whole number from 1 to ${max}`)
  }
  return n
}
