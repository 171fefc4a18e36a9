/* oxlint-disable no-underscore-dangle -- switching on Effect's `_tag` discriminant is the point of this file */
/**
 * Exhaustiveness is a compile-time property: `pnpm run typecheck` includes this file, and
 * every `@ts-expect-error` below marks a match that forgets a case. The last test strips the
 * directives and asserts the compiler then reports exactly those errors, so the directives
 * cannot silently become unnecessary... or hide an unrelated error.
 */
import { Match, Result } from "effect"
import * as path from "node:path"
import ts from "typescript"
import { describe, expect, it } from "vitest"
import { Action, Catalog } from "../src/index"

// A complete match on `_tag`: every built-in template plus CustomAction.
const summarize = (action: Action.Action): string =>
  Match.valueTags(action, {
    ProductViewed: (a) => a.payload.product.productId,
    CategoryViewed: (a) => a.payload.categoryId,
    ProductListChanged: (a) => `${a.payload.op} ${a.payload.list}`,
    CustomerRegistered: (a) => a.payload.method,
    CustomerSignedIn: (a) => a.payload.method,
    OrderPlaced: (a) => a.payload.order.orderId,
    OrderPaid: (a) => a.payload.order.orderId,
    OrderReturned: (a) => a.payload.order.orderId,
    MessageOpened: (a) => a.payload.message.messageId,
    MessageClicked: (a) => a.payload.url,
    UnsubscribeRequested: (a) => a.payload.channel,
    ProfileEdited: (a) => a.payload.changes[0]!.field,
    SubscriptionChanged: (a) => a.payload.changes[0]!.channel,
    PromoCodeRedeemed: (a) => a.payload.code,
    OrderStatusChanged: (a) => a.payload.status,
    MessageSent: (a) => a.payload.message.messageId,
    MessageDelivered: (a) => a.payload.message.messageId,
    MessageDeliveryFailed: (a) => a.payload.reason,
    MessageNotSent: (a) => a.payload.reason,
    PromoCodeIssued: (a) => a.payload.code,
    RewardIssued: (a) => a.payload.reward,
    BonusPointsChanged: (a) => String(a.payload.delta),
    ProfileCorrected: (a) => a.payload.changes[0]!.field,
    NoteAdded: (a) => a.payload.text,
    TagAdded: (a) => a.payload.tag,
    TagRemoved: (a) => a.payload.tag,
    CustomersMerged: (a) => a.payload.mergedId,
    CustomerImported: (a) => a.payload.source,
    CustomAction: (a) => `${a.template} (${a.category})`,
  })

// The same with a plain switch; `never` proves every case is handled.
const summarizeSwitch = (a: Action.Action): string => {
  switch (a._tag) {
    case "ProductViewed":
      return a.payload.product.productId
    case "CategoryViewed":
      return a.payload.categoryId
    case "ProductListChanged":
      return `${a.payload.op} ${a.payload.list}`
    case "CustomerRegistered":
      return a.payload.method
    case "CustomerSignedIn":
      return a.payload.method
    case "OrderPlaced":
      return a.payload.order.orderId
    case "OrderPaid":
      return a.payload.order.orderId
    case "OrderReturned":
      return a.payload.order.orderId
    case "MessageOpened":
      return a.payload.message.messageId
    case "MessageClicked":
      return a.payload.url
    case "UnsubscribeRequested":
      return a.payload.channel
    case "ProfileEdited":
      return a.payload.changes[0]!.field
    case "SubscriptionChanged":
      return a.payload.changes[0]!.channel
    case "PromoCodeRedeemed":
      return a.payload.code
    case "OrderStatusChanged":
      return a.payload.status
    case "MessageSent":
      return a.payload.message.messageId
    case "MessageDelivered":
      return a.payload.message.messageId
    case "MessageDeliveryFailed":
      return a.payload.reason
    case "MessageNotSent":
      return a.payload.reason
    case "PromoCodeIssued":
      return a.payload.code
    case "RewardIssued":
      return a.payload.reward
    case "BonusPointsChanged":
      return String(a.payload.delta)
    case "ProfileCorrected":
      return a.payload.changes[0]!.field
    case "NoteAdded":
      return a.payload.text
    case "TagAdded":
      return a.payload.tag
    case "TagRemoved":
      return a.payload.tag
    case "CustomersMerged":
      return a.payload.mergedId
    case "CustomerImported":
      return a.payload.source
    case "CustomAction":
      return `${a.template} (${a.category})`
  }
}

// Incomplete matches: each one must be a compile error.

const forgetsNoteAdded = (a: Action.SystemAction): string => {
  switch (a._tag) {
    case "OrderStatusChanged":
    case "MessageSent":
    case "MessageDelivered":
    case "MessageDeliveryFailed":
    case "MessageNotSent":
    case "PromoCodeIssued":
    case "RewardIssued":
    case "BonusPointsChanged":
    case "ProfileCorrected":
    case "TagAdded":
    case "TagRemoved":
    case "CustomersMerged":
    case "CustomerImported":
      return a.template
  }
  // @ts-expect-error NoteAdded is not handled, so `a` is not `never` here
  const unreachable: never = a
  return unreachable
}

const forgetsCustomAction = (action: Action.Action) =>
  // @ts-expect-error CustomAction has no handler
  Match.valueTags(action, {
    ProductViewed: (a) => a.payload.product.productId,
    CategoryViewed: (a) => a.payload.categoryId,
    ProductListChanged: (a) => `${a.payload.op} ${a.payload.list}`,
    CustomerRegistered: (a) => a.payload.method,
    CustomerSignedIn: (a) => a.payload.method,
    OrderPlaced: (a) => a.payload.order.orderId,
    OrderPaid: (a) => a.payload.order.orderId,
    OrderReturned: (a) => a.payload.order.orderId,
    MessageOpened: (a) => a.payload.message.messageId,
    MessageClicked: (a) => a.payload.url,
    UnsubscribeRequested: (a) => a.payload.channel,
    ProfileEdited: (a) => a.payload.changes[0]!.field,
    SubscriptionChanged: (a) => a.payload.changes[0]!.channel,
    PromoCodeRedeemed: (a) => a.payload.code,
    OrderStatusChanged: (a) => a.payload.status,
    MessageSent: (a) => a.payload.message.messageId,
    MessageDelivered: (a) => a.payload.message.messageId,
    MessageDeliveryFailed: (a) => a.payload.reason,
    MessageNotSent: (a) => a.payload.reason,
    PromoCodeIssued: (a) => a.payload.code,
    RewardIssued: (a) => a.payload.reward,
    BonusPointsChanged: (a) => String(a.payload.delta),
    ProfileCorrected: (a) => a.payload.changes[0]!.field,
    NoteAdded: (a) => a.payload.text,
    TagAdded: (a) => a.payload.tag,
    TagRemoved: (a) => a.payload.tag,
    CustomersMerged: (a) => a.payload.mergedId,
    CustomerImported: (a) => a.payload.source,
  })

const categoryLabel = (a: Action.Action): string => {
  switch (a.category) {
    case "personal":
      return "by the customer"
    case "system":
      return "for the customer"
  }
}

const forgetsSystemCategory = (a: Action.Action): string => {
  if (a.category === "personal") return "by the customer"
  // @ts-expect-error "system" is not handled
  const unreachable: never = a.category
  return unreachable
}

// @ts-expect-error matchCategory needs a handler for both categories
const forgetsSystemHandler = (a: Action.Action) => Action.matchCategory(a, { personal: () => 1 })

const personalOnly = (a: Action.PersonalAction): string => {
  switch (a._tag) {
    case "ProductViewed":
    case "CategoryViewed":
    case "ProductListChanged":
    case "CustomerRegistered":
    case "CustomerSignedIn":
    case "OrderPlaced":
    case "OrderPaid":
    case "OrderReturned":
    case "MessageOpened":
    case "MessageClicked":
    case "UnsubscribeRequested":
    case "ProfileEdited":
    case "SubscriptionChanged":
    case "PromoCodeRedeemed":
      return "personal"
    // @ts-expect-error NoteAdded is a system action, not in PersonalAction
    case "NoteAdded":
      return "impossible"
  }
}

const examples = Catalog.listBuiltInTemplates().map((t) => {
  const r = Action.makeAction({
    id: "0190a1a2-0000-7000-8000-000000000000" as never,
    customerId: "c1" as never,
    occurredAt: 1,
    recordedAt: 2,
    touchpointId: "web" as never,
    channelId: "online" as never,
    brandId: "default" as never,
    customFields: {},
    recordedBy: { kind: "system", id: "test" },
    template: t.definition.systemName,
    category: t.definition.category,
    payload: t.example,
  })
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return r.success
})

describe("exhaustive matching", () => {
  it("the complete matches handle every action the same way", () => {
    expect(examples).toHaveLength(28)
    for (const a of examples) {
      expect(summarize(a)).toBe(summarizeSwitch(a))
      expect(summarize(a).length).toBeGreaterThan(0)
      expect(categoryLabel(a)).toBe(
        Action.category(a) === "personal" ? "by the customer" : "for the customer",
      )
      expect(Action.matchCategory(a, { personal: () => "p", system: () => "s" })).toBe(
        a.category === "personal" ? "p" : "s",
      )
    }
    const sys = examples.find((a): a is Action.SystemAction => a._tag === "TagAdded")!
    expect(forgetsNoteAdded(sys)).toBe("TagAdded")
    expect(forgetsSystemCategory(examples[0]!)).toBe("by the customer")
    expect(personalOnly(examples[0] as Action.PersonalAction)).toBe("personal")
    expect(typeof forgetsCustomAction).toBe("function")
    expect(typeof forgetsSystemHandler).toBe("function")
  })

  it("every @ts-expect-error in this file really guards a compile error", () => {
    const file = path.resolve(import.meta.dirname, "exhaustive.test.ts")
    const original = ts.sys.readFile(file)!
    const directives = original
      .split("\n")
      .filter((l) => l.trim().startsWith("// @ts-expect-error"))
    expect(directives.length).toBe(5)
    const stripped = original.replace(/^(\s*)\/\/ @ts-expect-error.*$/gm, "$1//")
    const config = ts.getParsedCommandLineOfConfigFile(
      path.resolve(import.meta.dirname, "../tsconfig.json"),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    )!
    const host = ts.createCompilerHost(config.options)
    const getSourceFile = host.getSourceFile.bind(host)
    host.getSourceFile = (name, lang, ...rest) =>
      path.resolve(name) === file
        ? ts.createSourceFile(name, stripped, lang)
        : getSourceFile(name, lang, ...rest)
    const program = ts.createProgram({ rootNames: [file], options: config.options, host })
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && path.resolve(d.file.fileName) === file)
    // One error per directive, each on the line right after one.
    const lines = new Set(errors.map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line))
    const expectedLines = new Set(
      original
        .split("\n")
        .flatMap((l, i) => (l.trim().startsWith("// @ts-expect-error") ? [i + 1] : [])),
    )
    expect([...lines].sort((a, b) => a - b)).toEqual([...expectedLines].sort((a, b) => a - b))
  }, 180_000)
})
