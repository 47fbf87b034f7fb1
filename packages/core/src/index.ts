/**
 * @smtpure/core: a pure SMTP client engine (sans-I/O) plus the platform-free driver that runs
 * it over a Transport and a Clock. See docs/ARCHITECTURE.md.
 */
export * as Base64 from './Base64.ts'
export * as Capabilities from './Capabilities.ts'
export * as Client from './Client.ts'
export * as DotStuffer from './DotStuffer.ts'
export * as Limits from './Limits.ts'
export * as Reply from './Reply.ts'
export * as ReplyParser from './ReplyParser.ts'
export * as Sasl from './Sasl.ts'
export * as SmtpError from './SmtpError.ts'
export * as Timeouts from './Timeouts.ts'
export * as Transcript from './Transcript.ts'
export * as Options from './Options.ts'
export * as Driver from './Driver.ts'
export * as Api from './Api.ts'
export * as Body from './Body.ts'
export * as Codecs from './codecs/index.ts'

export type { Config, TlsPolicy, AuthConfig } from './Config.ts'
export type { Envelope } from './Envelope.ts'
export type { Input, AppInput, TransportInput } from './Input.ts'
export type { Output, Event, RecipientOutcome, Transmit } from './Output.ts'
export type { State, Phase, Transaction } from './State.ts'
export type { Transport, Clock } from './Transport.ts'

export type { SmtpError as SmtpErrorType, UsageError } from './SmtpError.ts'
export type { Reply as ReplyType } from './Reply.ts'
export type { TranscriptLine } from './Transcript.ts'
export type { Session, SessionOptions, BodySource, TransactionOutcome, OpenFailed } from './Driver.ts'

export { step, initial, pollTimeout, wantsRead } from './Client.ts'
export { decodeConfig, decodeEnvelope } from './Options.ts'
export { openSession } from './Driver.ts'
export { isTransient, describe } from './SmtpError.ts'
export { SmtpClient, SmtpFailure, DeliveryError, type Message, type SendResult } from './Api.ts'
export type { BodyInput } from './Body.ts'
