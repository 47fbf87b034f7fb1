/**
 * Every bound the engine enforces, in one place. A limit is a named constant with the reason for
 * its value next to it, so a reader can find the RFC line it stands for.
 */

/**
 * Longest reply line we accept, CRLF included. RFC 5321 §4.5.3.1.5 caps a reply line at 512
 * octets; real servers overshoot it in EHLO keyword lists and long rejection texts, so we allow
 * twice the RFC 5321 §4.5.3.1.6 text-line limit. Anything longer is a ProtocolViolation, not a
 * reason to buffer.
 */
export const MAX_REPLY_LINE_OCTETS = 2000

/**
 * Most lines one (multi-line) reply may have. An EHLO reply lists ~15 extensions; Postfix's
 * longest replies are well under 50. An endless `250-` stream is cut here.
 */
export const MAX_REPLY_LINES = 128

/**
 * Most octets of one reply kept at once (lines already parsed but whose reply is not yet
 * complete). Bounded by the two limits above; named so the total bound is visible.
 */
export const MAX_REPLY_OCTETS = MAX_REPLY_LINE_OCTETS * MAX_REPLY_LINES

/** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF. */
export const MAX_COMMAND_LINE_OCTETS = 512

/**
 * RFC 4954 §4: AUTH's initial response and every SASL response line may be up to 12288 octets
 * (the limit servers must accept for AUTH lines).
 */
export const MAX_AUTH_LINE_OCTETS = 12288

/** RFC 5321 §4.5.3.1.8: at least 100 recipients per message must be accepted; we allow 1000. */
export const MAX_RECIPIENTS = 1000

/**
 * Most SASL challenge round trips before we cancel. PLAIN needs none, LOGIN two, SCRAM two; a
 * server that keeps sending 334 is stopped here (answered with `*`).
 */
export const MAX_SASL_ROUNDS = 4

/** Most commands in flight at once when pipelining (RFC 2920): MAIL + every RCPT + DATA. */
export const MAX_PIPELINED_COMMANDS = MAX_RECIPIENTS + 2

/**
 * Largest body chunk the driver dot-stuffs into its reused buffer (`BodyChunk.into`);
 * a larger chunk gets an array of its own, so one huge chunk does not pin its size in memory
 * for the rest of the session.
 */
export const MAX_BODY_SCRATCH_OCTETS = 1024 * 1024
