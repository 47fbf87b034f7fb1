/** Real SMTP servers for the interop tests, started on loopback with throwaway config. */
export { testCa, type TestCerts } from './ca.ts'
export { startPostfix, POSTFIX_USER } from './postfix.ts'
export { startAiosmtpd, AIOSMTPD_USER } from './aiosmtpd.ts'
export { startSmtpServer, SMTP_SERVER_USER } from './smtpServer.ts'
export { freePort, freePorts, waitForPort } from './ports.ts'
export type { Endpoint, MailServer, ReceivedMessage } from './types.ts'
