/** The RFC 5322 / MIME message builder. */
export { buildMessage, buildMessageBytes, validate, ATTACHMENT_SLICE, OUTPUT_CHUNK } from './Message.ts'
export type { Attachment, BuildContext, Built, Content, MessageFields, NamedAddress } from './Message.ts'
export { AddressInput, formatAddress, formatList } from './Address.ts'
export { rfc5322Date } from './DateTime.ts'
export { encodedWords, quotedPrintable, base64Lines, parameter } from './Encoding.ts'
export { fold, isFieldName } from './Header.ts'
export * from './Limits.ts'
