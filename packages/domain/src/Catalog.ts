/**
 * The built-in templates: definition (display name, category, description, tags) and payload
 * schema of every built-in action class. Adding a template: see docs/domain.md.
 */
import type { Schema } from "effect"
import * as A from "./Action"
import { examplePayloads } from "./Examples"
import type { TemplateName } from "./Ids"
import type { Category, TemplateDefinition } from "./Template"

interface Meta {
  readonly displayName: string
  readonly description: string
  readonly tags: ReadonlyArray<string>
}

// Keyed by system name: the mapped type makes a missing or extra template a compile error.
const meta: { readonly [K in A.BuiltInTemplateName]: Meta } = {
  ProductViewed: {
    displayName: "Product viewed",
    description: "The customer viewed a product page.",
    tags: ["catalog", "web"],
  },
  CategoryViewed: {
    displayName: "Category viewed",
    description: "The customer viewed a product category.",
    tags: ["catalog", "web"],
  },
  ProductListChanged: {
    displayName: "Product list changed",
    description:
      "Items were added to, removed from, set in or cleared from the cart or the wishlist.",
    tags: ["catalog", "cart"],
  },
  CustomerRegistered: {
    displayName: "Customer registered",
    description: "The customer signed up.",
    tags: ["profile"],
  },
  CustomerSignedIn: {
    displayName: "Customer signed in",
    description: "The customer signed in.",
    tags: ["profile"],
  },
  OrderPlaced: {
    displayName: "Order placed",
    description: "The customer placed an order (snapshot of the order).",
    tags: ["orders"],
  },
  OrderPaid: {
    displayName: "Order paid",
    description: "The customer paid for an order.",
    tags: ["orders"],
  },
  OrderReturned: {
    displayName: "Order returned",
    description: "The customer returned an order or some of its lines.",
    tags: ["orders"],
  },
  MessageOpened: {
    displayName: "Message opened",
    description: "The customer opened a campaign message.",
    tags: ["messages"],
  },
  MessageClicked: {
    displayName: "Message clicked",
    description: "The customer clicked a link in a campaign message.",
    tags: ["messages"],
  },
  UnsubscribeRequested: {
    displayName: "Unsubscribe requested",
    description: "The customer asked to stop receiving messages over a channel.",
    tags: ["messages", "subscriptions"],
  },
  ProfileEdited: {
    displayName: "Profile edited",
    description: "The customer edited their own profile (field-level changes).",
    tags: ["profile"],
  },
  SubscriptionChanged: {
    displayName: "Subscription changed",
    description: "The customer's consent changed for one or more messaging channels.",
    tags: ["profile", "subscriptions"],
  },
  PromoCodeRedeemed: {
    displayName: "Promo code redeemed",
    description: "The customer redeemed a promo code, optionally in an order.",
    tags: ["promo"],
  },
  OrderStatusChanged: {
    displayName: "Order status changed",
    description: "The shop confirmed, shipped, delivered or cancelled an order (or some lines).",
    tags: ["orders"],
  },
  MessageSent: {
    displayName: "Message sent",
    description: "A campaign message was sent to the customer.",
    tags: ["messages"],
  },
  MessageDelivered: {
    displayName: "Message delivered",
    description: "A campaign message was delivered.",
    tags: ["messages"],
  },
  MessageDeliveryFailed: {
    displayName: "Message delivery failed",
    description: "A campaign message could not be delivered (with the reason).",
    tags: ["messages"],
  },
  MessageNotSent: {
    displayName: "Message not sent",
    description: "A campaign message was not sent to the customer (with the reason).",
    tags: ["messages"],
  },
  PromoCodeIssued: {
    displayName: "Promo code issued",
    description: "A promo code from a pool was issued to the customer.",
    tags: ["promo"],
  },
  RewardIssued: {
    displayName: "Reward issued",
    description: "A reward was issued to the customer.",
    tags: ["loyalty"],
  },
  BonusPointsChanged: {
    displayName: "Bonus points changed",
    description: "The customer's bonus points balance changed.",
    tags: ["loyalty"],
  },
  ProfileCorrected: {
    displayName: "Profile corrected",
    description: "Staff corrected errors in the profile (field-level changes).",
    tags: ["profile", "staff"],
  },
  NoteAdded: {
    displayName: "Note added",
    description: "Staff added a note to the profile.",
    tags: ["staff"],
  },
  TagAdded: {
    displayName: "Tag added",
    description: "A tag was added to the customer.",
    tags: ["tags"],
  },
  TagRemoved: {
    displayName: "Tag removed",
    description: "A tag was removed from the customer.",
    tags: ["tags"],
  },
  CustomersMerged: {
    displayName: "Customers merged",
    description: "Another profile was merged into this one; its actions now belong here.",
    tags: ["profile"],
  },
  CustomerImported: {
    displayName: "Customer imported",
    description: "The customer was created by an import.",
    tags: ["profile", "import"],
  },
}

export interface BuiltInTemplate {
  readonly definition: TemplateDefinition
  /** The payload schema (decodes the `payload` of a record input). */
  readonly payload: Schema.Codec<unknown, unknown>
  /** The action class (`_tag` = system name). */
  readonly action: A.BuiltInActionClass
  /** A realistic example payload (encoded JSON form) that validates. */
  readonly example: { readonly [k: string]: unknown }
}

const builtIns: ReadonlyArray<BuiltInTemplate> = A.builtInActions.map((action) => {
  const name = action.identifier as A.BuiltInTemplateName
  const m = meta[name]
  const category: Category = (A.personalActions as ReadonlyArray<unknown>).includes(action)
    ? "personal"
    : "system"
  return {
    definition: {
      systemName: name as string as TemplateName,
      displayName: m.displayName,
      category,
      description: m.description,
      tags: m.tags,
      allowedBrands: [],
      builtIn: true,
      customFields: [],
      version: 1,
    },
    payload: action.fields.payload as unknown as Schema.Codec<unknown, unknown>,
    action,
    example: examplePayloads[name],
  }
})

const byName: ReadonlyMap<string, BuiltInTemplate> = new Map(
  builtIns.map((t) => [t.definition.systemName, t]),
)

/** Every built-in template, personal first, in catalog order. */
export const listBuiltInTemplates = (): ReadonlyArray<BuiltInTemplate> => builtIns

/** The built-in template with this system name, if any. */
export const getBuiltInTemplate = (systemName: string): BuiltInTemplate | undefined =>
  byName.get(systemName)

/** Is this system name taken by a built-in template? (Custom templates may not reuse it.) */
export const isBuiltIn = (systemName: string): boolean => byName.has(systemName)

/** Built-in template definitions (what the store seeds / lists alongside custom ones). */
export const builtInDefinitions = (): ReadonlyArray<TemplateDefinition> =>
  builtIns.map((t) => t.definition)
