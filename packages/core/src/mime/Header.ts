/**
 * Header fields (RFC 5322 §2.2): names checked, values free of CR and LF (so no header can be
 * injected), non-ASCII text as RFC 2047 encoded words, and lines folded at 78 and never past 998.
 */
import * as E from 'fp-ts/lib/Either.js'
import { encodedWords, isPlainHeaderText } from './Encoding.ts'
import { FOLD_AT, MAX_LINE } from './Limits.ts'

/** RFC 5322 §2.2: field-name = 1*ftext; ftext = %d33-57 / %d59-126 (printable ASCII but ":"). */
export const isFieldName = (name: string): boolean => /^[\x21-\x39\x3b-\x7e]+$/.test(name)

/** A problem with a header, naming it. */
export interface HeaderProblem {
  readonly path: string
  readonly message: string
}

/** Refuse CR, LF and NUL in a value: RFC 5322 §2.2 allows them only as folding, which we do. */
export const checkValue = (path: string, value: string): E.Either<HeaderProblem, string> =>
  /[\r\n\0]/.test(value) ? E.left({ path, message: 'must not contain CR, LF or NUL' }) : E.right(value)

/** Unstructured text (Subject, custom fields): encoded words when it is not plain ASCII. */
export const unstructured = (value: string): string => {
  if (isPlainHeaderText(value) && !value.split(' ').some((w) => w.length > MAX_LINE - 100)) return value
  return encodedWords(value)
}

/**
 * Fold `Name: value` at spaces so lines stay within 78 characters where a space allows it
 * (RFC 5322 §2.2.3); a word too long to fit stays whole (it is below 998 by construction).
 */
export const fold = (name: string, value: string): string => {
  const words = value.split(' ')
  let line = `${name}:`
  const lines: string[] = []
  for (const w of words) {
    // RFC 5322 §2.2.3: fold at whitespace, even right after the name when a word needs the room.
    if (line.length + 1 + w.length > FOLD_AT && (line !== `${name}:` || name.length + 2 + w.length > FOLD_AT)) {
      lines.push(line)
      line = ` ${w}`
    } else {
      line += ` ${w}`
    }
  }
  lines.push(line)
  return lines.join('\r\n') + '\r\n'
}

/** The longest line of a folded header (for checks). */
export const longestLine = (folded: string): number => Math.max(...folded.split('\r\n').map((l) => l.length))
