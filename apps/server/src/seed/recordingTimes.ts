/**
 * When the demo's actions were recorded. A real project records most actions at their event
 * time (seconds later), some arrive late (a mobile app offline for hours, a store's nightly
 * upload), and older history arrived at once in an import. The store stamps `recordedAt` from
 * Effect's `Clock`, so the seed runs each recording under a clock set to the time it would
 * have been recorded.
 */
import { Clock, Effect } from "effect"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** A clock that reads `set`'s value (or the real time when unset). */
export const settableClock = (base: Clock.Clock) => {
  let current: number | undefined
  const millis = () => current ?? base.currentTimeMillisUnsafe()
  const clock: Clock.Clock = Object.assign(Object.create(base) as Clock.Clock, {
    currentTimeMillisUnsafe: millis,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanosUnsafe: () => BigInt(millis()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(millis()) * 1_000_000n),
  })
  return {
    clock,
    set: (ms: number | undefined) => {
      current = ms
    },
  }
}

/**
 * Recording delays, deterministic (its own generator, so the demo's other random choices stay
 * as they were): 9 in 10 within 20 s, most of the rest minutes to hours late, about 1 in 60
 * one to three days late.
 */
export const recordingDelays = (seed: number) => {
  let s = seed >>> 0
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
  return (): number => {
    const x = next()
    if (x < 0.9) return 1000 + Math.floor(next() * 19_000)
    if (x < 0.984) return 2 * MINUTE + Math.floor(next() * 6 * HOUR)
    return DAY + Math.floor(next() * 2 * DAY)
  }
}

/** `occurredAt` + a delay, never after `now`. */
export const recordedAt = (occurredMs: number, delay: number, now: number): number =>
  Math.min(occurredMs + delay, now)

export const IMPORT_AGE_MS = 60 * DAY
