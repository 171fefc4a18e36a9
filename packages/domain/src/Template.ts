/**
 * Action templates: *what* happened. Built-in templates live in `Catalog`; custom ones are
 * created at run time and stored by `@actionlog/store` as {@link TemplateDefinition}s.
 */
import { Result, Schema } from "effect"
import { BrandId, TEMPLATE_NAME_PATTERN, TemplateName } from "./Ids"
import { type EvolutionReason, InvalidTemplate, TemplateEvolutionRejected } from "./Errors"

export const Category = Schema.Literals(["personal", "system"])
export type Category = typeof Category.Type
export const categories: ReadonlyArray<Category> = ["personal", "system"]

/** A custom field's name: an identifier (letter, then letters, digits, `_`), ≤ 64 chars. */
export const FieldName = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, {
      expected: "a field name (a letter, then letters, digits or '_', at most 64 characters)",
    }),
  ),
)

export const ScalarFieldType = Schema.Literals([
  "integer",
  "decimal",
  "string",
  "boolean",
  "date",
  "datetime",
  "externalIdentity",
])
export type ScalarFieldType = typeof ScalarFieldType.Type
export type CustomFieldType = ScalarFieldType | "enum"
export const customFieldTypes: ReadonlyArray<CustomFieldType> = [
  ...ScalarFieldType.literals,
  "enum",
]

const fieldBase = {
  name: FieldName,
  required: Schema.Boolean,
  description: Schema.optionalKey(Schema.String),
}

export const ScalarFieldDefinition = Schema.Struct({ ...fieldBase, type: ScalarFieldType })
export type ScalarFieldDefinition = typeof ScalarFieldDefinition.Type

export const EnumFieldDefinition = Schema.Struct({
  ...fieldBase,
  type: Schema.Literal("enum"),
  values: Schema.Array(Schema.NonEmptyString).pipe(
    Schema.check(Schema.isMinLength(1), Schema.isUnique()),
  ),
})
export type EnumFieldDefinition = typeof EnumFieldDefinition.Type

/**
 * One custom field. Types: integer, decimal, string, boolean, date (`YYYY-MM-DD`),
 * datetime (ISO 8601 with zone), enum (one of `values`), externalIdentity (a string unique
 * across the actions of the template — the store enforces uniqueness).
 */
export const CustomFieldDefinition = Schema.Union([ScalarFieldDefinition, EnumFieldDefinition])
export type CustomFieldDefinition = typeof CustomFieldDefinition.Type

export const TemplateDefinition = Schema.Struct({
  systemName: TemplateName,
  displayName: Schema.NonEmptyString,
  category: Category,
  description: Schema.String,
  tags: Schema.Array(Schema.String),
  /** Empty = allowed for every brand. */
  allowedBrands: Schema.Array(BrandId),
  builtIn: Schema.Boolean,
  customFields: Schema.Array(CustomFieldDefinition),
  /**
   * Bumped by the store on every change; compiled validators are cached per
   * (systemName, version). Built-ins start at 1.
   */
  version: Schema.Int,
})
export type TemplateDefinition = typeof TemplateDefinition.Type

/** What staff send to create a template; the system name is derived when absent. */
export const CreateTemplateInput = Schema.Struct({
  displayName: Schema.NonEmptyString,
  systemName: Schema.optionalKey(TemplateName),
  category: Category,
  description: Schema.optionalKey(Schema.String),
  tags: Schema.optionalKey(Schema.Array(Schema.String)),
  allowedBrands: Schema.optionalKey(Schema.Array(BrandId)),
  customFields: Schema.optionalKey(Schema.Array(CustomFieldDefinition)),
})
export type CreateTemplateInput = typeof CreateTemplateInput.Type

/** A change to an existing template (system name and category are fixed once created). */
export const UpdateTemplateInput = Schema.Struct({
  displayName: Schema.optionalKey(Schema.NonEmptyString),
  description: Schema.optionalKey(Schema.String),
  tags: Schema.optionalKey(Schema.Array(Schema.String)),
  allowedBrands: Schema.optionalKey(Schema.Array(BrandId)),
  customFields: Schema.optionalKey(Schema.Array(CustomFieldDefinition)),
})
export type UpdateTemplateInput = typeof UpdateTemplateInput.Type

/**
 * Derive a system name from a display name: letters and digits of each word, PascalCase,
 * accents stripped (`"Visited store #3"` → `"VisitedStore3"`). Non-latin names fall back to
 * `Template_<hash>` so the result is always a valid {@link TemplateName}.
 */
export const deriveSystemName = (displayName: string): TemplateName => {
  const words = displayName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
  let name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("")
  if (!/^[A-Za-z]/.test(name)) {
    let h = 0x811c9dc5
    for (const ch of displayName) {
      h ^= ch.codePointAt(0)!
      h = Math.imul(h, 0x01000193) >>> 0
    }
    name = name === "" ? `Template_${h.toString(36)}` : `T${name}`
  }
  return name.slice(0, 100) as TemplateName
}

export const isValidSystemName = (s: string): s is TemplateName => TEMPLATE_NAME_PATTERN.test(s)

/** Structural checks a schema cannot express: field names are unique within a template. */
export const checkCustomFields = (
  fields: ReadonlyArray<CustomFieldDefinition>,
): Result.Result<ReadonlyArray<CustomFieldDefinition>, InvalidTemplate> => {
  const seen = new Set<string>()
  for (const [i, f] of fields.entries()) {
    if (seen.has(f.name)) {
      return Result.fail(
        new InvalidTemplate({
          field: `customFields[${i}].name`,
          reason: `duplicate field name "${f.name}"`,
        }),
      )
    }
    seen.add(f.name)
  }
  return Result.succeed(fields)
}

/**
 * Build a new custom template's definition from staff input (system name derived when not
 * given). Whether the name collides with a built-in or existing template is the store's check.
 */
export const makeTemplateDefinition = (
  input: CreateTemplateInput,
): Result.Result<TemplateDefinition, InvalidTemplate> => {
  const customFields = input.customFields ?? []
  return Result.map(checkCustomFields(customFields), () => ({
    systemName: input.systemName ?? deriveSystemName(input.displayName),
    displayName: input.displayName,
    category: input.category,
    description: input.description ?? "",
    tags: input.tags ?? [],
    allowedBrands: input.allowedBrands ?? [],
    builtIn: false,
    customFields,
    version: 1,
  }))
}

/** Apply an update (evolution rules are checked separately with `checkTemplateEvolution`). */
export const applyTemplateUpdate = (
  before: TemplateDefinition,
  update: UpdateTemplateInput,
): Result.Result<TemplateDefinition, InvalidTemplate> => {
  const customFields = update.customFields ?? before.customFields
  return Result.map(checkCustomFields(customFields), () => ({
    ...before,
    displayName: update.displayName ?? before.displayName,
    description: update.description ?? before.description,
    tags: update.tags ?? before.tags,
    allowedBrands: update.allowedBrands ?? before.allowedBrands,
    customFields,
    version: before.version + 1,
  }))
}

export interface EvolutionOptions {
  /** Whether any action of the template was recorded (then only safe changes are allowed). */
  readonly inUse: boolean
}

/**
 * May `before` become `after`? Pure. Returns the reasons it may not (empty = allowed).
 * Not in use: anything goes except changing the system name or category. In use, recorded
 * payloads must stay valid and meaningful, so a field may not be removed, renamed, change its
 * type, become required, or lose enum values; new fields must be optional. Display name,
 * description, tags, allowed brands, descriptions and adding enum values are always fine.
 */
export const checkTemplateEvolution = (
  before: TemplateDefinition,
  after: TemplateDefinition,
  options: EvolutionOptions,
): ReadonlyArray<EvolutionReason> => {
  const reasons: Array<EvolutionReason> = []
  if (before.systemName !== after.systemName)
    reasons.push({ field: "systemName", message: "the system name cannot change" })
  if (before.category !== after.category)
    reasons.push({ field: "category", message: "the category cannot change" })
  if (!options.inUse) return reasons
  const next = new Map(after.customFields.map((f) => [f.name, f]))
  const prev = new Map(before.customFields.map((f) => [f.name, f]))
  for (const old of before.customFields) {
    const f = next.get(old.name)
    if (f === undefined) {
      reasons.push({
        field: old.name,
        message: "a field of a template in use cannot be removed",
      })
      continue
    }
    if (f.type !== old.type) {
      reasons.push({
        field: old.name,
        message: `the type cannot change from ${old.type} to ${f.type} while the template is in use`,
      })
      continue
    }
    if (f.required && !old.required)
      reasons.push({
        field: old.name,
        message: "an optional field cannot become required while the template is in use",
      })
    if (old.type === "enum" && f.type === "enum") {
      const kept = new Set(f.values)
      const removed = old.values.filter((v) => !kept.has(v))
      if (removed.length > 0)
        reasons.push({
          field: old.name,
          message: `enum values cannot be removed while the template is in use: ${removed.join(", ")}`,
        })
    }
  }
  for (const f of after.customFields) {
    if (!prev.has(f.name) && f.required)
      reasons.push({
        field: f.name,
        message: "a field added to a template in use must be optional",
      })
  }
  return reasons
}

/** {@link checkTemplateEvolution} as a Result with the tagged error. */
export const ensureTemplateEvolution = (
  before: TemplateDefinition,
  after: TemplateDefinition,
  options: EvolutionOptions,
): Result.Result<TemplateDefinition, TemplateEvolutionRejected> => {
  const reasons = checkTemplateEvolution(before, after, options)
  return reasons.length === 0
    ? Result.succeed(after)
    : Result.fail(new TemplateEvolutionRejected({ template: before.systemName, reasons }))
}
