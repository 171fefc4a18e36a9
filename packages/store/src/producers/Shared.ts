/**
 * What every producer shares: the optional envelope of the actions it records (where, which
 * brand, when, who) and recording one action that must be new.
 */
import type { Ids, Registry, RecordActionInput, Time } from "@actionlog/domain"
import type { RecordedBy } from "../ActionStore"

/** Envelope options a producer call passes through to the actions it records. */
export interface ActionContext {
  /** Absent → the project's default touchpoint (or the producer's own default). */
  readonly touchpoint?: Registry.TouchpointRef | undefined
  readonly brand?: Ids.BrandId | undefined
  /** The event time (ISO 8601 with zone or epoch ms); absent → now. */
  readonly occurredAt?: Time.TimeInputValue | undefined
  readonly recordedBy?: RecordedBy | undefined
}

/** The envelope part of a record input (only the keys that are set). */
export const envelope = (
  ctx: ActionContext,
): Pick<RecordActionInput.RecordActionInput, "touchpoint" | "brand" | "occurredAt"> => ({
  ...(ctx.touchpoint === undefined ? {} : { touchpoint: ctx.touchpoint }),
  ...(ctx.brand === undefined ? {} : { brand: ctx.brand }),
  ...(ctx.occurredAt === undefined ? {} : { occurredAt: ctx.occurredAt }),
})

export const recordOptions = (ctx: ActionContext) =>
  ctx.recordedBy === undefined ? undefined : { recordedBy: ctx.recordedBy }

export const tn = (name: string) => name as Ids.TemplateName
