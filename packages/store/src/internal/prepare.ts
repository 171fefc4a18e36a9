/**
 * The checks of one record input that need only the registries and the clock (no database):
 * template, event time, size, payload + custom fields, touchpoint, brand. Pure and cheap;
 * runs for every item before the write transaction.
 */
import {
  CustomFields,
  Errors,
  Validation,
  type RecordActionInput,
  type Registry,
} from "@actionlog/domain"
import { Result } from "effect"
import type { RegistrySnapshot } from "../RegistryCache"
import type { PreparedItem } from "./writeBatch"

const reject = (
  input: RecordActionInput.RecordActionInput,
  error: Errors.ActionRejection,
): PreparedItem => ({ ok: false, input, error })

export const prepareItem = (
  input: RecordActionInput.RecordActionInput,
  snap: RegistrySnapshot,
  nowMs: number,
  /** Recorded by staff: without a touchpoint it goes to the admin panel touchpoint. */
  byStaff = false,
): PreparedItem => {
  const template = snap.templates.get(input.template)
  if (template === undefined)
    return reject(input, new Errors.UnknownTemplate({ template: input.template }))

  const occurredAt = Validation.checkEventTime(input.occurredAt, nowMs)
  if (Result.isFailure(occurredAt)) return reject(input, occurredAt.failure)

  // Size before decoding, so an oversized payload costs one stringify, not a full decode.
  const rawPayload = JSON.stringify(input.payload ?? {})
  const rawCustom = input.customFields === undefined ? "{}" : JSON.stringify(input.customFields)
  const bytes = Validation.utf8Length(rawPayload) + Validation.utf8Length(rawCustom)
  if (bytes > Errors.MAX_PAYLOAD_BYTES) {
    return reject(input, new Errors.PayloadTooLarge({ bytes, limit: Errors.MAX_PAYLOAD_BYTES }))
  }

  const validated = Validation.validatePayload(template, input.payload, input.customFields)
  if (Result.isFailure(validated)) return reject(input, validated.failure)

  let touchpoint: Registry.Touchpoint | undefined
  const ref = input.touchpoint
  if (ref === undefined) {
    const id = (byStaff ? snap.adminTouchpointId : undefined) ?? snap.settings.defaultTouchpointId
    if (id === undefined) return reject(input, new Errors.TouchpointRequired({}))
    touchpoint = snap.touchpoints.get(id)
    if (touchpoint === undefined) {
      return reject(input, new Errors.UnknownTouchpoint({ touchpoint: id, by: "id" }))
    }
  } else if ("id" in ref) {
    touchpoint = snap.touchpoints.get(ref.id)
    if (touchpoint === undefined) {
      return reject(input, new Errors.UnknownTouchpoint({ touchpoint: ref.id, by: "id" }))
    }
  } else {
    touchpoint = snap.touchpointsByExternalId.get(ref.externalId)
    if (touchpoint === undefined) {
      return reject(
        input,
        new Errors.UnknownTouchpoint({ touchpoint: ref.externalId, by: "externalId" }),
      )
    }
  }
  if (touchpoint.deleted)
    return reject(input, new Errors.TouchpointDeleted({ touchpoint: touchpoint.id }))

  const brand = Validation.resolveBrand({
    settings: snap.settings,
    template,
    touchpoint,
    requested: input.brand,
  })
  if (Result.isFailure(brand)) return reject(input, brand.failure)
  if (!snap.brands.has(brand.success))
    return reject(input, new Errors.UnknownBrand({ brand: brand.success }))

  const customFields = validated.success.customFields
  let hasCustom = false
  for (const _ in customFields) {
    hasCustom = true
    break
  }
  return {
    ok: true,
    input,
    template: template.systemName,
    occurredAt: occurredAt.success,
    touchpointId: touchpoint.id,
    channelId: touchpoint.channelId,
    brandId: brand.success,
    // Payload schemas only check (no transformations), so the decoded value serialises to
    // the same JSON as the input: reuse the string measured above.
    payloadJson: rawPayload,
    customFieldsJson: hasCustom ? JSON.stringify(customFields) : null,
    identities:
      template.customFields.length === 0
        ? []
        : CustomFields.externalIdentities(template, customFields),
  }
}
