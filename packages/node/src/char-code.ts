/**
 * `String.prototype.charCodeAt`, to be called (`charCodeAt.call(s, i)`) instead of read from each
 * string in hot loops. Strings arrive in many of V8's internal kinds (flat, sliced, concatenated,
 * one- and two-byte, internalised); `s.charCodeAt` read at one site from that many kinds is not
 * inlined in optimised code, and every character then went through V8's generic property load
 * (callgrind, Express + pg + Redis app: about 8,700 instructions per request in the encoder's
 * utf8Length). A call through `Function.prototype.call` is not inlined either: where a native
 * search can do the work (`indexOf`, as URL redaction does), that is cheaper still.
 */
export const charCodeAt = String.prototype.charCodeAt
