/**
 * A throwaway Postfix (with Dovecot for SASL) on loopback ports, in its own temp dir:
 *   plain        SMTP, STARTTLS offered (smtpd_tls_security_level=may), no AUTH
 *   submission   STARTTLS required, then AUTH PLAIN/LOGIN through Dovecot
 *   implicitTls  smtpd_tls_wrappermode (RFC 8314), AUTH available
 *   noTls        no STARTTLS advertised at all
 * Mail for example.test is handed to a pipe transport that writes one file per recipient, so
 * tests can read what arrived. Postfix stores lines with LF; files are read back with CRLF.
 *
 * Facts that cost time: run with `postfix -c DIR`; daemons need `chroot = n`; a main.cf younger
 * than a second may be ignored (we backdate it); errors go to maillog_file via the postlog
 * service; Dovecot starts after Postfix because its auth socket lives in Postfix's queue dir.
 */
import { execFile, spawn } from 'node:child_process'
import { closeSync, openSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync, existsSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { testCa } from './ca.ts'
import { freePorts, waitForPort } from './ports.ts'
import { pollMessages, pollRecipient, toReceived, type MailServer, type ReceivedMessage } from './types.ts'

const run = promisify(execFile)

/**
 * Run a command that leaves a daemon behind. Its output goes to a file, not a pipe: the daemon
 * inherits the descriptors, and a pipe would keep us waiting for it to exit.
 */
const startDaemon = (cmd: string, args: ReadonlyArray<string>, log: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const fd = openSync(log, 'a')
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd] })
    closeSync(fd)
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${readFileSync(log, 'utf8').slice(-1500)}`))))
  })

export const POSTFIX_USER = { username: 'user@example.test', password: 'correct horse battery staple' }

const DELIVER_SH = `#!/bin/sh
# pipe(8) delivery: argv = dir queue_id sender recipient
dir=$1; id=$2; sender=$3; rcpt=$4
f="$dir/$(date +%s%N)-$id-$$"
cat > "$f.tmp" || exit 75
printf '%s\\n%s\\n' "$sender" "$rcpt" > "$f.env"
mv "$f.tmp" "$f.eml"
`

const mainCf = (dir: string, certFile: string, keyFile: string): string => `
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.example.test
mydomain = example.test
myorigin = $mydomain
mydestination =
mynetworks = 127.0.0.0/8
relay_domains = example.test
relay_transport = filedrop
filedrop_destination_recipient_limit = 1
local_transport = error:local delivery is disabled
default_transport = error:outbound mail is disabled
alias_maps =
alias_database =
biff = no
message_size_limit = 52428800
smtputf8_enable = yes
smtpd_banner = $myhostname ESMTP smtpure test
smtpd_tls_cert_file = ${certFile}
smtpd_tls_key_file = ${keyFile}
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sasl_auth_enable = no
broken_sasl_auth_clients = no
smtpd_recipient_restrictions = check_recipient_access regexp:${dir}/recipient_access.regexp, permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_client_connection_rate_limit = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
`

const masterCf = (dir: string, ports: { plain: number; submission: number; implicitTls: number; noTls: number }): string => `
127.0.0.1:${ports.plain} inet n - n - - smtpd
127.0.0.1:${ports.submission} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes
127.0.0.1:${ports.implicitTls} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes
127.0.0.1:${ports.noTls} inet n - n - - smtpd -o smtpd_tls_security_level=none
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
filedrop  unix  -       n       n       -       -       pipe
  flags= user=nobody argv=/bin/sh ${dir}/deliver.sh ${dir}/mail \${queue_id} \${sender} \${recipient}
`

const dovecotConf = (dir: string): string => `
base_dir = ${dir}/dovecot/run
state_dir = ${dir}/dovecot/state
log_path = ${dir}/dovecot/dovecot.log
protocols =
ssl = no
auth_mechanisms = plain login cram-md5 scram-sha-256
auth_failure_delay = 0
disable_plaintext_auth = no
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/dovecot/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener ${dir}/queue/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
`

const readMessages = (mailDir: string): ReadonlyArray<ReceivedMessage> =>
  readdirSync(mailDir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => {
      const base = join(mailDir, f.slice(0, -4))
      const [sender = '', recipient = ''] = readFileSync(`${base}.env`, 'utf8').split('\n')
      const lf = readFileSync(`${base}.eml`)
      // Postfix keeps lines without CR; restore the SMTP line ends.
      const raw = Buffer.from(lf.toString('latin1').replace(/\n/g, '\r\n'), 'latin1')
      return toReceived(sender, [recipient], raw)
    })

/** Start Postfix and Dovecot. */
export const startPostfix = async (): Promise<MailServer> => {
  const certs = await testCa()
  const dir = mkdtempSync(join(tmpdir(), 'smtpure-postfix-'))
  chmodSync(dir, 0o755)
  const [plain, submission, implicitTls, noTls] = (await freePorts(4)) as [number, number, number, number]
  const mailDir = join(dir, 'mail')
  mkdirSync(mailDir)
  chmodSync(mailDir, 0o777)
  mkdirSync(join(dir, 'dovecot'))
  mkdirSync(join(dir, 'queue'))
  mkdirSync(join(dir, 'data'))
  await run('chown', ['postfix', join(dir, 'data')])
  writeFileSync(join(dir, 'deliver.sh'), DELIVER_SH, { mode: 0o755 })
  writeFileSync(join(dir, 'recipient_access.regexp'), '/^reject/ 550 5.1.1 Recipient rejected by the test server\n/^tempfail/ 450 4.2.0 Try again later\n')
  writeFileSync(join(dir, 'main.cf'), mainCf(dir, certs.certFile, certs.keyFile))
  writeFileSync(join(dir, 'master.cf'), masterCf(dir, { plain, submission, implicitTls, noTls }))
  // Postfix may ignore a main.cf younger than a second: backdate both files.
  const past = new Date(Date.now() - 60_000)
  utimesSync(join(dir, 'main.cf'), past, past)
  utimesSync(join(dir, 'master.cf'), past, past)
  writeFileSync(join(dir, 'dovecot', 'users'), `${POSTFIX_USER.username}:{PLAIN}${POSTFIX_USER.password}\n`)
  writeFileSync(join(dir, 'dovecot', 'dovecot.conf'), dovecotConf(dir))

  const maillog = (): string => (existsSync(join(dir, 'maillog')) ? readFileSync(join(dir, 'maillog'), 'utf8').slice(-3000) : '(no maillog)')
  const stop = async (): Promise<void> => {
    await run('postfix', ['-c', dir, 'stop']).catch(() => run('postfix', ['-c', dir, 'abort']).catch(() => {}))
    await run('doveadm', ['-c', join(dir, 'dovecot', 'dovecot.conf'), 'stop']).catch(() => {})
    // postfix stop returns before every daemon has gone; give them a moment, then clean up.
    await new Promise((r) => setTimeout(r, 200))
    if (process.env["SMTPURE_KEEP_SERVER_DIRS"] === undefined) rmSync(dir, { recursive: true, force: true })
  }
  try {
    await startDaemon('postfix', ['-c', dir, 'start'], join(dir, 'start.log'))
    await startDaemon('dovecot', ['-c', join(dir, 'dovecot', 'dovecot.conf')], join(dir, 'start.log'))
    await Promise.all([plain, submission, implicitTls, noTls].map((p) => waitForPort(p)))
  } catch (e) {
    const log = maillog()
    const dlog = existsSync(join(dir, 'dovecot', 'dovecot.log')) ? readFileSync(join(dir, 'dovecot', 'dovecot.log'), 'utf8').slice(-2000) : ''
    await stop()
    throw new Error(`postfix did not start: ${(e as Error).message}\n${log}\n${dlog}`)
  }

  return {
    name: 'postfix',
    plain: { host: '127.0.0.1', port: plain },
    submission: { host: '127.0.0.1', port: submission },
    implicitTls: { host: '127.0.0.1', port: implicitTls },
    noTls: { host: '127.0.0.1', port: noTls },
    credentials: POSTFIX_USER,
    domain: 'example.test',
    messageDir: { path: mailDir, format: 'postfix' },
    waitForMessages: (count, timeoutMs = 20_000) =>
      pollMessages(async () => readMessages(mailDir), count, timeoutMs).catch((e: Error) => {
        throw new Error(`${e.message}\n${maillog()}`)
      }),
    waitForRecipient: (recipient, timeoutMs = 30_000) => pollRecipient(async () => readMessages(mailDir), recipient, timeoutMs),
    clearMessages: async () => {
      for (const f of readdirSync(mailDir)) unlinkSync(join(mailDir, f))
    },
    stop,
  }
}
