/**
 * Branded identifiers. Every id is a non-empty string at rest and on the wire; the brand only
 * exists in the type system, so mapping to and from storage costs nothing.
 */
import { Schema } from "effect"

const IdString = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200)))

/** Internal customer id (made by the store). */
export const CustomerId = IdString.pipe(Schema.brand("CustomerId"))
export type CustomerId = typeof CustomerId.Type

/** UUIDv7 (time-ordered), made by the server with {@link makeActionId}. */
export const ActionId = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, {
      expected: "a UUIDv7 action id",
    }),
  ),
  Schema.brand("ActionId"),
)
export type ActionId = typeof ActionId.Type

/**
 * A template's system name: starts with a letter, then letters, digits, `_`, `-` or `.`;
 * at most 100 characters. Built-ins use PascalCase (`OrderPlaced`).
 */
export const TEMPLATE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/
export const TemplateName = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(TEMPLATE_NAME_PATTERN, {
      expected:
        "a template system name (a letter, then letters, digits, '_', '-' or '.', at most 100 characters)",
    }),
  ),
  Schema.brand("TemplateName"),
)
export type TemplateName = typeof TemplateName.Type

export const TouchpointId = IdString.pipe(Schema.brand("TouchpointId"))
export type TouchpointId = typeof TouchpointId.Type

export const ChannelId = IdString.pipe(Schema.brand("ChannelId"))
export type ChannelId = typeof ChannelId.Type

/** A brand's system name doubles as its id. */
export const BrandId = IdString.pipe(Schema.brand("BrandId"))
export type BrandId = typeof BrandId.Type

/** Client-supplied idempotency key (unique per project, forever). */
export const TransactionId = IdString.pipe(Schema.brand("TransactionId"))
export type TransactionId = typeof TransactionId.Type

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

// Random bytes are drawn in blocks: one getRandomValues call per 512 ids instead of per id.
const POOL_SIZE = 512 * 10
const pool = new Uint8Array(POOL_SIZE)
let poolOffset = POOL_SIZE

const random10 = (): number => {
  if (poolOffset + 10 > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool)
    poolOffset = 0
  }
  const at = poolOffset
  poolOffset += 10
  return at
}

/**
 * A UUIDv7 (RFC 9562): 48-bit big-endian unix milliseconds, version 7, 74 random bits.
 * Ids made in the same millisecond are not ordered among themselves; feeds break ties on the
 * id, which only needs to be stable, not monotonic.
 */
export const makeActionId = (nowMs: number): ActionId => {
  // 2^48 ms covers dates until the year 10889; clamp so a bad clock cannot produce garbage.
  const ms = Math.max(0, Math.min(Math.trunc(nowMs), 2 ** 48 - 1))
  const high = Math.floor(ms / 2 ** 16)
  const low = ms % 2 ** 16
  const r = random10()
  const time =
    HEX[(high >>> 24) & 0xff]! +
    HEX[(high >>> 16) & 0xff]! +
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    "-" +
    HEX[(low >>> 8) & 0xff]! +
    HEX[low & 0xff]!
  const ver = HEX[0x70 | (pool[r]! & 0x0f)]! + HEX[pool[r + 1]!]!
  const variant = HEX[0x80 | (pool[r + 2]! & 0x3f)]! + HEX[pool[r + 3]!]!
  let node = ""
  for (let i = r + 4; i < r + 10; i++) node += HEX[pool[i]!]!
  return `${time}-${ver}-${variant}-${node}` as ActionId
}

/** The unix milliseconds encoded in a UUIDv7 action id. */
export const actionIdTime = (id: ActionId): number =>
  Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
