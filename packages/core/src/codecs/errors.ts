/**
 * Readable validation errors. Each codec here fails with a whole sentence through `t.failure`'s
 * message (`"bob@@x" is not a valid mailbox: it has more than one "@"`); this module prefixes it
 * with the field's path from the io-ts context (`envelope.to[2]`) and gives a plain sentence for
 * io-ts's own failures, which have no message (`is required`, `must be a string`).
 *
 * Values are never read from `ValidationError.value` or from a context's `actual`: a refused
 * value appears only when a codec chose to quote it in its message, and the Credentials codec
 * never does. So a password inside any structure cannot leak through these functions.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

/** One refused field: where it is (`to[1]`, `auth.credentials.password`) and what is wrong. */
export interface Issue {
  readonly path: string
  readonly message: string
}

/** Input that failed validation, with one issue per problem; the engine's UsageError wraps it. */
export interface InvalidInput {
  readonly _tag: 'InvalidInput'
  readonly message: string
  readonly issues: ReadonlyArray<Issue>
}

/** The path shown for the input itself (an error at the root). */
export const ROOT_PATH = '(input)'

// io-ts codecs are told apart by their `_tag` rather than `instanceof`, which fails when two
// copies of io-ts are loaded (npm and JSR builds side by side).
const tagOf = (type: t.Decoder<unknown, unknown>): string | undefined => (type as { readonly _tag?: string })._tag

// The key of a context entry is not a field when its parent is a combinator of alternatives or
// conjuncts: intersection and union members are numbered "0", "1"... but are the same value.
const isTransparent = (parent: t.Decoder<unknown, unknown>): boolean => tagOf(parent) === 'IntersectionType' || tagOf(parent) === 'UnionType'

const appendKey = (path: string, key: string): string =>
  key === '' ? path : /^\d+$/.test(key) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`

/** The path of each entry of a context: entry i's value lives at `paths[i]`. */
const pathsOf = (c: t.Context): ReadonlyArray<string> => {
  const paths: string[] = []
  let path = ''
  for (let i = 0; i < c.length; i++) {
    const entry = c[i]
    const parent = c[i - 1]
    if (i > 0 && entry !== undefined && parent !== undefined && !isTransparent(parent.type)) path = appendKey(path, entry.key)
    paths.push(path)
  }
  return paths
}

const quoteAll = (values: ReadonlyArray<unknown>): string => values.map((v) => JSON.stringify(v)).join(', ')

type AnyDecoder = t.Decoder<unknown, unknown>

// A plain-language name for what an io-ts type expects.
const describe = (type: AnyDecoder): string => {
  switch (tagOf(type)) {
    case 'StringType':
      return 'a string'
    case 'NumberType':
      return 'a number'
    case 'BooleanType':
      return 'true or false'
    case 'NullType':
      return 'null'
    case 'LiteralType':
      return JSON.stringify((type as t.LiteralType<string | number | boolean>).value)
    case 'KeyofType':
      return `one of ${quoteAll(Object.keys((type as t.KeyofType<Record<string, unknown>>).keys))}`
    case 'UnionType': {
      const members = (type as unknown as { readonly types: ReadonlyArray<AnyDecoder> }).types
      // Alternatives that are all literals read as one list; others are described one by one.
      return members.every((m) => tagOf(m) === 'LiteralType' || tagOf(m) === 'KeyofType')
        ? `one of ${members.map((m) => describe(m).replace(/^one of /, '')).join(', ')}`
        : `one of: ${members.map(describe).join('; ')}`
    }
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return 'a list'
    case 'InterfaceType':
    case 'PartialType':
    case 'IntersectionType':
    case 'ExactType':
    case 'DictionaryType':
      return 'an object'
    case 'RefinementType':
    case 'ReadonlyType':
      return describe((type as unknown as { readonly type: AnyDecoder }).type)
    default:
      return `a valid ${type.name}`
  }
}

interface Located {
  readonly path: string
  readonly message: string
  // The context entry of the innermost union the error went through, and that union's path.
  readonly union?: { readonly entry: t.ContextEntry; readonly path: string }
}

const locate = (e: t.ValidationError): Located => {
  const c = e.context
  const paths = pathsOf(c)
  const path = paths[paths.length - 1] ?? ''
  // The outermost type at the error's own path names what was expected there: for a union
  // member that is the union, so the union's failed alternatives read as one issue.
  let outer: t.Decoder<unknown, unknown> | undefined
  for (let i = 0; i < c.length; i++) {
    if (paths[i] === path) {
      outer = c[i]?.type
      break
    }
  }
  const message = e.message ?? (e.value === undefined ? 'is required' : `must be ${outer === undefined ? 'a valid value' : describe(outer)}`)
  let union: Located['union']
  for (let i = c.length - 2; i >= 0; i--) {
    const entry = c[i]
    if (entry !== undefined && tagOf(entry.type) === 'UnionType') {
      union = { entry, path: paths[i] ?? '' }
      break
    }
  }
  return union === undefined ? { path, message } : { path, message, union }
}

/**
 * One issue per problem, in input order, with duplicates removed. When a union's alternatives
 * fail, an alternative that got further (failed deeper inside the value) is reported instead of
 * the ones that did not match the value's shape at all.
 */
export const issuesOf = (errors: t.Errors): ReadonlyArray<Issue> => {
  const located = errors.map(locate)
  const deeper = new Set<t.ContextEntry>()
  for (const l of located) if (l.union !== undefined && l.path !== l.union.path) deeper.add(l.union.entry)
  const seen = new Set<string>()
  const out: Issue[] = []
  for (const l of located) {
    if (l.union !== undefined && l.path === l.union.path && deeper.has(l.union.entry)) continue
    const path = l.path === '' ? ROOT_PATH : l.path
    const key = `${path}\u0000${l.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ path, message: l.message })
  }
  return out
}

/** Readable lines, one per issue: `to[2]: "bob@@x" is not a valid mailbox: …`. */
export const formatValidationErrors = (errors: t.Errors): string =>
  issuesOf(errors)
    .map((i) => `${i.path}: ${i.message}`)
    .join('\n')

/** An InvalidInput from io-ts errors; its message lists every issue on one line. */
export const invalidInput = (errors: t.Errors): InvalidInput => {
  const issues = issuesOf(errors)
  return { _tag: 'InvalidInput', message: `invalid input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues }
}

/** Decode untrusted input with a codec; Left is an InvalidInput naming every bad field. */
export const decodeWith =
  <A>(codec: t.Decoder<unknown, A>) =>
  (input: unknown): E.Either<InvalidInput, A> =>
    E.mapLeft(invalidInput)(codec.decode(input))
