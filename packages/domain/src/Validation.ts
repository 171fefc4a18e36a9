/**
 * Pure checks the store composes when recording an action. Each returns a `Result`
 * (synchronous, allocation-light: these run for every recorded action); inside Effect code
 * use `yield* Effect.fromResult(...)`.
 */
import { Result, Schema } from "effect"
import type { CustomFieldValues } from "./Action"
import { getBuiltInTemplate } from "./Catalog"
import { customFieldsSchema } from "./CustomFields"
import {
  BatchTooLarge,
  BrandConflict,
  BrandRequired,
  EventTimeInFuture,
  InvalidPayload,
  MAX_BATCH_BYTES,
  MAX_BATCH_ITEMS,
  MAX_FUTURE_SKEW_MS,
  MAX_PAYLOAD_BYTES,
  PayloadTooLarge,
  TemplateNotAllowedForBrand,
  UnknownTemplate,
} from "./Errors"
import type { BrandId } from "./Ids"
import { issueToInvalidPayload } from "./internal/issue"
import type { ProjectSettings, Touchpoint } from "./Registry"
import type { TemplateDefinition } from "./Template"
import { parseTimeInput, timeInputExpected, type TimeInputValue } from "./Time"

/** A decoded payload: a JSON object (typed per template for built-ins). */
export type Payload = { readonly [k: string]: unknown }

export interface ValidatedPayload {
  readonly payload: Payload
  readonly customFields: CustomFieldValues
}

const strict = { onExcessProperty: "error" } as const
const CustomPayload = Schema.Record(Schema.String, Schema.Json)
const decodeCustomPayload = Schema.decodeUnknownResult(CustomPayload)

/**
 * Validate an action's payload and custom fields against its template. Built-in templates
 * decode the payload with their typed schema; custom templates accept any JSON object.
 * Unknown keys are rejected (payload of built-ins, custom fields of all). Errors carry the
 * path from the record input: `["payload", "order", "lines", 0, "quantity"]`,
 * `["customFields", "size"]`. Missing payload / customFields count as `{}`.
 */
export const validatePayload = (
  template: TemplateDefinition,
  payload: unknown,
  customFields: unknown,
): Result.Result<ValidatedPayload, InvalidPayload | UnknownTemplate> => {
  let decodedPayload: Payload
  const p = payload ?? {}
  if (template.builtIn) {
    const builtIn = getBuiltInTemplate(template.systemName)
    if (builtIn === undefined)
      return Result.fail(new UnknownTemplate({ template: template.systemName }))
    const r = Schema.decodeUnknownResult(builtIn.payload)(p, strict)
    if (Result.isFailure(r)) return Result.fail(issueToInvalidPayload(r.failure.issue, ["payload"]))
    decodedPayload = r.success as Payload
  } else {
    const r = decodeCustomPayload(p)
    if (Result.isFailure(r)) return Result.fail(issueToInvalidPayload(r.failure.issue, ["payload"]))
    decodedPayload = r.success
  }
  const c = Schema.decodeUnknownResult(customFieldsSchema(template))(customFields ?? {}, strict)
  if (Result.isFailure(c))
    return Result.fail(issueToInvalidPayload(c.failure.issue, ["customFields"]))
  return Result.succeed({ payload: decodedPayload, customFields: c.success })
}

/**
 * The event time in epoch ms: absent → `nowMs`; more than 5 minutes ahead of `nowMs` →
 * `EventTimeInFuture`; not a time input (ISO 8601 with zone or epoch ms) → `InvalidPayload` at
 * `occurredAt`.
 * Any past time is fine (backfill).
 */
export const checkEventTime = (
  occurredAt: TimeInputValue | undefined,
  nowMs: number,
): Result.Result<number, EventTimeInFuture | InvalidPayload> => {
  if (occurredAt === undefined) return Result.succeed(nowMs)
  const ms = parseTimeInput(occurredAt)
  if (ms === undefined)
    return Result.fail(InvalidPayload.at(["occurredAt"], `expected ${timeInputExpected}`))
  if (ms > nowMs + MAX_FUTURE_SKEW_MS)
    return Result.fail(new EventTimeInFuture({ occurredAt: ms, now: nowMs }))
  return Result.succeed(ms)
}

export interface BrandResolutionInput {
  readonly settings: ProjectSettings
  readonly template: Pick<TemplateDefinition, "systemName" | "allowedBrands">
  /** The resolved touchpoint (its brand implies the action's brand). */
  readonly touchpoint?: Pick<Touchpoint, "id" | "brandId"> | undefined
  /** The brand the caller asked for. */
  readonly requested?: BrandId | undefined
}

/**
 * The action's brand.
 * - Single-brand project: always the default brand (whatever was requested).
 * - Multi-brand: the requested brand, else the touchpoint's brand, else `BrandRequired`; a
 *   requested brand different from the touchpoint's is a `BrandConflict`; the template's
 *   `allowedBrands` (empty = all) must contain it, else `TemplateNotAllowedForBrand`.
 * Whether the brand exists is the store's check (`UnknownBrand`).
 */
export const resolveBrand = (
  input: BrandResolutionInput,
): Result.Result<BrandId, BrandRequired | TemplateNotAllowedForBrand | BrandConflict> => {
  const { settings, template, touchpoint, requested } = input
  if (!settings.multiBrand) return Result.succeed(settings.defaultBrandId)
  const implied = touchpoint?.brandId
  if (requested !== undefined && implied !== undefined && requested !== implied) {
    return Result.fail(
      new BrandConflict({ requested, touchpointBrand: implied, touchpoint: touchpoint!.id }),
    )
  }
  const brand = requested ?? implied
  if (brand === undefined) return Result.fail(new BrandRequired({ template: template.systemName }))
  if (template.allowedBrands.length > 0 && !template.allowedBrands.includes(brand)) {
    return Result.fail(new TemplateNotAllowedForBrand({ template: template.systemName, brand }))
  }
  return Result.succeed(brand)
}

/** UTF-8 byte length of a string, without TextEncoder (keeps the package dependency-free). */
export const utf8Length = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

/** Bytes of the JSON of payload + custom fields (the per-action 32 KiB limit). */
export const payloadBytes = (payload: unknown, customFields: unknown): number =>
  utf8Length(JSON.stringify(payload ?? {})) + utf8Length(JSON.stringify(customFields ?? {}))

export const checkPayloadSize = (
  payload: unknown,
  customFields: unknown,
): Result.Result<number, PayloadTooLarge> => {
  const bytes = payloadBytes(payload, customFields)
  return bytes > MAX_PAYLOAD_BYTES
    ? Result.fail(new PayloadTooLarge({ bytes, limit: MAX_PAYLOAD_BYTES }))
    : Result.succeed(bytes)
}

/**
 * A batch may hold at most 1,000 items and 1 MiB. `bytes` is the request body size when the
 * caller knows it; otherwise the JSON of the items is measured.
 */
export const checkBatch = (
  items: ReadonlyArray<unknown>,
  bytes?: number,
): Result.Result<void, BatchTooLarge> => {
  if (items.length > MAX_BATCH_ITEMS)
    return Result.fail(new BatchTooLarge({ items: items.length, bytes: bytes ?? 0 }))
  const size = bytes ?? utf8Length(JSON.stringify(items))
  return size > MAX_BATCH_BYTES
    ? Result.fail(new BatchTooLarge({ items: items.length, bytes: size }))
    : Result.succeed(undefined)
}
