/**
 * The io-ts codecs for untrusted input at the public boundary: each decodes once, into a
 * branded type the engine takes, or fails with a readable, path-naming error (errors.ts).
 */
export * from './errors.ts'
export * from './show.ts'
export * from './octets.ts'
export * as Punycode from './punycode.ts'
export { toALabel } from './punycode.ts'
export * from './fromParser.ts'
export * from './Domain.ts'
export * from './AddressLiteral.ts'
export * from './EhloName.ts'
export * from './Mailbox.ts'
export * from './ReversePath.ts'
export * from './Credentials.ts'
