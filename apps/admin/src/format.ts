/** Display formatting: one place for dates and numbers so every screen reads the same. */

const dateFmt = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
})
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" })
const timeSecFmt = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
})
const dayFmt = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  year: "numeric",
  month: "long",
  day: "numeric",
})
const numFmt = new Intl.NumberFormat()

const toDate = (v: string | number | Date): Date => (v instanceof Date ? v : new Date(v))

export const formatDate = (v: string | number | Date): string => dateFmt.format(toDate(v))
export const formatTime = (v: string | number | Date): string => timeFmt.format(toDate(v))
export const formatDateTime = (v: string | number | Date): string => {
  const d = toDate(v)
  return `${dateFmt.format(d)}, ${timeSecFmt.format(d)}`
}
export const formatNumber = (n: number): string => numFmt.format(n)

const moneyFmts = new Map<string, Intl.NumberFormat>()
/** "€241.90": an amount in its ISO 4217 currency; an unknown code shows the number and code. */
export const formatMoney = (amount: number, currency: string | undefined): string => {
  if (!currency) return numFmt.format(amount)
  let fmt = moneyFmts.get(currency)
  if (!fmt) {
    try {
      fmt = new Intl.NumberFormat(undefined, { style: "currency", currency })
    } catch {
      return `${numFmt.format(amount)} ${currency}`
    }
    moneyFmts.set(currency, fmt)
  }
  return fmt.format(amount)
}

/** Local calendar day key (YYYY-MM-DD) for grouping a feed by day. */
export const dayKey = (v: string | number | Date): string => {
  const d = toDate(v)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`
}

export const formatDay = (v: string | number | Date): string => {
  const d = toDate(v)
  const today = dayKey(new Date())
  const yesterday = dayKey(Date.now() - 86_400_000)
  const key = dayKey(d)
  if (key === today) return `Today · ${dateFmt.format(d)}`
  if (key === yesterday) return `Yesterday · ${dateFmt.format(d)}`
  return dayFmt.format(d)
}

/** "3 minutes later" style distance between event and recorded time. */
export const formatDelay = (fromMs: number, toMs: number): string => {
  const s = Math.round(Math.abs(toMs - fromMs) / 1000)
  const sign = toMs >= fromMs ? "later" : "earlier"
  if (s < 60) return `${s}s ${sign}`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min ${sign}`
  const h = Math.round(m / 60)
  if (h < 48) return `${h} h ${sign}`
  return `${Math.round(h / 24)} days ${sign}`
}

/** "5 min ago" for recent times, the date for older ones. */
export const formatAgo = (v: number, now = Date.now()): string => {
  const s = Math.round((now - v) / 1000)
  if (s < 0) return formatDateTime(v)
  if (s < 60) return "just now"
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min ago`
  const h = Math.round(m / 60)
  if (h < 24) return `${h} h ago`
  return formatDate(v)
}

/** "+3 min" / "−2 h": compact event → recorded distance for feed rows. */
export const formatShortDelay = (fromMs: number, toMs: number): string => {
  const s = Math.round(Math.abs(toMs - fromMs) / 1000)
  const sign = toMs >= fromMs ? "+" : "−"
  if (s < 60) return `${sign}${s} s`
  const m = Math.round(s / 60)
  if (m < 60) return `${sign}${m} min`
  const h = Math.round(m / 60)
  if (h < 48) return `${sign}${h} h`
  return `${sign}${Math.round(h / 24)} d`
}

/** `datetime-local` input value <-> ISO string. */
const pad = (n: number) => String(n).padStart(2, "0")

export const toLocalInput = (iso: string): string => {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ""
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}
export const fromLocalInput = (value: string): string | undefined => {
  if (!value) return undefined
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

export const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join("") || "?"
