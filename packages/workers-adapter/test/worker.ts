// A worker that sends one message per request, for the workerd test: GET /?port=N&tls=none|implicit|required
import { connect } from 'cloudflare:sockets'
import { makeWorkersApi, SmtpFailure, DeliveryError } from '../mod.ts'

const smtp = makeWorkersApi(connect as never)

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const port = Number(url.searchParams.get('port'))
    const tls = (url.searchParams.get('tls') ?? 'none') as 'none' | 'implicit' | 'required'
    const user = url.searchParams.get('user')
    const pass = url.searchParams.get('pass')
    try {
      const r = await smtp.sendMail({
        host: url.searchParams.get('host') ?? '127.0.0.1',
        port,
        tls,
        ...(user !== null && pass !== null ? { auth: { user, pass } } : {}),
        from: 'worker@example.org',
        to: url.searchParams.get('to') ?? 'someone@example.test',
        body: `Subject: ${url.searchParams.get('marker') ?? 'from a worker'}\r\n\r\n.dot\nline\r\n`,
        transcript: true,
      })
      return Response.json({ ok: true, reply: r.reply, accepted: r.accepted.length, transcript: r.transcript.map((l) => `${l.direction}: ${l.text}`) })
    } catch (e) {
      if (e instanceof SmtpFailure || e instanceof DeliveryError) return Response.json({ ok: false, tag: e.error._tag, message: e.message })
      return Response.json({ ok: false, tag: 'Exception', message: String(e) })
    }
  },
}
