/**
 * Readable validation errors. Every custom codec fails with a message through `t.failure`'s
 * third argument; `decodeWith` turns io-ts errors into one `InvalidInput` naming each bad field
 * by path. Values are never echoed (a password may be among them).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

/** Input that failed validation, with one issue per bad field. */
export interface InvalidInput {
  readonly _tag: 'InvalidInput'
  readonly message: string
  readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }>
}

const pathOf = (c: t.Context): string => {
  let path = ''
  for (let i = 1; i < c.length; i++) {
    const parent = c[i - 1]!.type
    const key = c[i]!.key
    // Intersection and union members are not fields: their keys ("0", "1") are not shown.
    if (parent instanceof t.IntersectionType || parent instanceof t.UnionType || key === '') continue
    path += /^\d+$/.test(key) ? `[${key}]` : path === '' ? key : `.${key}`
  }
  return path
}

const expected = (c: t.Context): string => {
  const last = c[c.length - 1]
  return last === undefined ? 'a valid value' : `a valid ${last.type.name}`
}

/** One line per error: `path: message`. Deduplicated (unions report each branch). */
export const issuesOf = (errors: t.Errors): ReadonlyArray<{ readonly path: string; readonly message: string }> => {
  const seen = new Set<string>()
  const out: Array<{ path: string; message: string }> = []
  for (const e of errors) {
    const path = pathOf(e.context) || '(input)'
    const message = e.message ?? (e.value === undefined ? 'is required' : `must be ${expected(e.context)}`)
    const key = `${path}\u0000${message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ path, message })
  }
  return out
}

/** All issues as one readable string. */
export const formatValidationErrors = (errors: t.Errors): string =>
  issuesOf(errors)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ')

/** Decode with a codec; Left is an InvalidInput that names every bad field. */
export const decodeWith =
  <A>(codec: t.Decoder<unknown, A>) =>
  (input: unknown): E.Either<InvalidInput, A> => {
    const r = codec.decode(input)
    if (E.isRight(r)) return E.right(r.right)
    const issues = issuesOf(r.left)
    return E.left({ _tag: 'InvalidInput', message: `invalid input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues })
  }
