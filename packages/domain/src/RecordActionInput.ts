/** What a caller sends to record one action (the API's `record` input, one batch item). */
import { Schema } from "effect"
import { CustomerRef } from "./Customer"
import { BrandId, TemplateName, TransactionId } from "./Ids"
import { TouchpointRef } from "./Registry"
import { TimeInputForms } from "./Time"

/** A JSON object of free-form values (payloads and custom fields before validation). */
export const JsonObject = Schema.Record(Schema.String, Schema.Unknown)
export type JsonObject = typeof JsonObject.Type

export const RecordActionInput = Schema.Struct({
  customer: CustomerRef,
  /** The template's system name (built-in or custom). */
  template: TemplateName,
  /**
   * A time input (ISO 8601 date-time with zone or epoch ms); absent → now. Kept as sent: the
   * store converts and checks it with the action (`checkEventTime`).
   */
  occurredAt: Schema.optionalKey(TimeInputForms),
  /** Absent → the project's default touchpoint. */
  touchpoint: Schema.optionalKey(TouchpointRef),
  /** Absent → the touchpoint's brand, else the default brand (see `resolveBrand`). */
  brand: Schema.optionalKey(BrandId),
  /** Idempotency key: a repeat is answered with the original action's id. */
  transactionId: Schema.optionalKey(TransactionId),
  /** The template's payload; validated by `validatePayload`. Absent → `{}`. */
  payload: Schema.optionalKey(JsonObject),
  /** Values of the template's custom fields. Absent → `{}`. */
  customFields: Schema.optionalKey(JsonObject),
  /** Create the customer when the identifier is unknown (only for identifier refs). */
  createCustomer: Schema.optionalKey(Schema.Boolean),
})
export type RecordActionInput = typeof RecordActionInput.Type
