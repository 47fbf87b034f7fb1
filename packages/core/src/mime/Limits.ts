/** The line and word limits of RFC 5322 and MIME, named. */

/** RFC 5322 §2.1.1: lines SHOULD be no more than 78 characters, excluding the CRLF. */
export const FOLD_AT = 78
/** RFC 5322 §2.1.1: lines MUST be no more than 998 characters, excluding the CRLF. */
export const MAX_LINE = 998
/** RFC 2047 §2: an encoded-word may not be more than 75 characters long. */
export const MAX_ENCODED_WORD = 75
/** Characters kept free in each encoded word for a field name such as `Reply-To: `. */
export const ENCODED_WORD_HEADROOM = 13
/** RFC 2045 §6.8: base64 lines are no more than 76 characters. */
export const BASE64_LINE = 76
/** RFC 2045 §6.7 rule 5: quoted-printable lines are no more than 76 characters. */
export const QP_LINE = 76
/** Random octets the builder needs (Message-ID and boundaries). */
export const RANDOM_OCTETS = 16
