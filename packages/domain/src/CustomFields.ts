/**
 * Custom fields compiled at run time into Effect schemas. Compiled schemas are cached per
 * template version: keyed by the field list itself (by identity, then by its JSON), so a
 * stale schema can never be used even if a caller forgets to bump `version`.
 */
import { Schema } from "effect"
import type { CustomFieldValue } from "./Action"
import type { CustomFieldDefinition, TemplateDefinition } from "./Template"
import { IsoDate, IsoDateTime } from "./Time"

/** Max length of a string custom field value. */
export const MAX_STRING_FIELD_LENGTH = 10_000
/** Max length of an externalIdentity value. */
export const MAX_EXTERNAL_IDENTITY_LENGTH = 200

type FieldSchema = Schema.Codec<CustomFieldValue, unknown>

/** The schema of one custom field's value (before optionality). */
export const fieldValueSchema = (field: CustomFieldDefinition): FieldSchema => {
  switch (field.type) {
    case "integer":
      return Schema.Int.pipe(
        Schema.check(
          Schema.isBetween({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
        ),
      ) as unknown as FieldSchema
    case "decimal":
      return Schema.Finite as unknown as FieldSchema
    case "string":
      return Schema.String.pipe(
        Schema.check(Schema.isMaxLength(MAX_STRING_FIELD_LENGTH)),
      ) as unknown as FieldSchema
    case "boolean":
      return Schema.Boolean as unknown as FieldSchema
    case "date":
      return IsoDate as unknown as FieldSchema
    case "datetime":
      return IsoDateTime as unknown as FieldSchema
    case "externalIdentity":
      return Schema.String.pipe(
        Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(MAX_EXTERNAL_IDENTITY_LENGTH)),
      ) as unknown as FieldSchema
    case "enum":
      return Schema.Literals(field.values) as unknown as FieldSchema
  }
}

export type CompiledCustomFields = Schema.Codec<{ readonly [k: string]: CustomFieldValue }, unknown>

/** Compile a list of field definitions into one struct schema (no caching). */
export const compileCustomFields = (
  fields: ReadonlyArray<CustomFieldDefinition>,
): CompiledCustomFields => {
  const struct: Record<string, Schema.Top> = {}
  for (const f of fields) {
    const value = fieldValueSchema(f)
    struct[f.name] = f.required ? value : Schema.optionalKey(value)
  }
  return Schema.Struct(struct) as unknown as CompiledCustomFields
}

// Templates are few; the cache is bounded anyway so a churn of versions cannot grow it forever.
const MAX_CACHE = 1000
const bySignature = new Map<string, CompiledCustomFields>()
const byIdentity = new WeakMap<ReadonlyArray<CustomFieldDefinition>, CompiledCustomFields>()

/** The compiled custom-field schema of a template version (cached). */
export const customFieldsSchema = (
  template: Pick<TemplateDefinition, "customFields">,
): CompiledCustomFields => {
  const fields = template.customFields
  let compiled = byIdentity.get(fields)
  if (compiled !== undefined) return compiled
  const signature = JSON.stringify(fields)
  compiled = bySignature.get(signature)
  if (compiled === undefined) {
    compiled = compileCustomFields(fields)
    if (bySignature.size >= MAX_CACHE) bySignature.delete(bySignature.keys().next().value!)
    bySignature.set(signature, compiled)
  }
  byIdentity.set(fields, compiled)
  return compiled
}

/** The externalIdentity fields of a template and their values in decoded custom fields. */
export const externalIdentities = (
  template: TemplateDefinition,
  customFields: { readonly [k: string]: CustomFieldValue },
): ReadonlyArray<{ readonly field: string; readonly value: string }> => {
  const out: Array<{ field: string; value: string }> = []
  for (const f of template.customFields) {
    const v = customFields[f.name]
    if (f.type === "externalIdentity" && typeof v === "string")
      out.push({ field: f.name, value: v })
  }
  return out
}
