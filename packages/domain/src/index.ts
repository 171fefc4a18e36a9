/**
 * @actionlog/domain — the Effect Schema model of actionlog. Every module is exported as a
 * namespace (like Effect's own index): `import { Action, Errors } from "@actionlog/domain"`,
 * then `Action.OrderPlaced`, `Errors.UnknownTemplate`, `Validation.validatePayload(...)`.
 */
export * as Action from "./Action"
export * as Campaign from "./Campaign"
export * as Catalog from "./Catalog"
export * as Customer from "./Customer"
export * as CustomFields from "./CustomFields"
export * as Describe from "./Describe"
export * as Errors from "./Errors"
export * as Feed from "./Feed"
export * as Ids from "./Ids"
export * as Order from "./Order"
export * as Payloads from "./Payloads"
export * as ProfileDiff from "./ProfileDiff"
export * as PromoCode from "./PromoCode"
export * as RecordActionInput from "./RecordActionInput"
export * as Registry from "./Registry"
export * as Segment from "./Segment"
export * as Template from "./Template"
export * as Time from "./Time"
export * as Tracking from "./Tracking"
export * as Validation from "./Validation"
// Producers: pure rules and errors of orders, bonus points, promo codes, campaigns.
export * as Bonus from "./Bonus"
export * as OrderLifecycle from "./OrderLifecycle"
export * as ProducerErrors from "./ProducerErrors"
// Webhooks: limits, views and errors shared by store, API and admin app (docs/webhooks.md).
export * as Webhook from "./Webhook"
