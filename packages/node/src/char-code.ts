/**
 * `String.prototype.charCodeAt`, to be called (`charCodeAt.call(s, i)`) instead of read from each
 * string in hot loops. Strings arrive in many of V8's internal kinds (flat, sliced, concatenated,
 * one- and two-byte, internalised); `s.charCodeAt` read at one site from that many kinds is not
 * inlined in optimised code, and every character then went through V8's generic property load
 * (callgrind, Express + pg + Redis app: about 8,700 instructions per request in the encoder's
 * utf8Length, 3,400 in URL redaction).
 */
export const charCodeAt = String.prototype.charCodeAt
