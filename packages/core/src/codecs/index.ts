/** The io-ts codecs for untrusted input at the public boundary. */
export * from './errors.ts'
export * as Punycode from './punycode.ts'
export * from './Domain.ts'
export * from './AddressLiteral.ts'
export * from './EhloName.ts'
export * from './Mailbox.ts'
export * from './ReversePath.ts'
export * from './Credentials.ts'
