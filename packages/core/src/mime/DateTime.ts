/**
 * RFC 5322 §3.3 date-time from an injected instant (the core reads no clock):
 *   date-time = [ day-of-week "," ] date time ; e.g. "Sat, 28 Nov 2026 19:58:40 +0100"
 */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const two = (n: number): string => String(n).padStart(2, '0')

/** Format `epochMs` as seen in a zone `offsetMinutes` east of UTC. */
export const rfc5322Date = (epochMs: number, offsetMinutes: number): string => {
  // A Date built from a given instant is plain arithmetic: no clock is read.
  const d = new Date(epochMs + offsetMinutes * 60_000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`
  )
}
