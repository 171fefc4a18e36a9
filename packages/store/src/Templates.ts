/**
 * The template registry: built-in templates (from the domain catalog) and custom ones created
 * at run time. A template "in use" (it has actions) may only evolve compatibly
 * (`Template.checkTemplateEvolution`); the check and the write share one write transaction,
 * so no action can slip in between.
 */
import { Catalog, Errors, Template, type Ids } from "@actionlog/domain"
import { Clock, Context, Effect, Layer, Result } from "effect"
import { Database } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { RegistryCache, mergeTemplates } from "./RegistryCache"

export class Templates extends Context.Service<
  Templates,
  {
    readonly create: (
      input: Template.CreateTemplateInput,
    ) => Effect.Effect<
      Template.TemplateDefinition,
      Errors.InvalidTemplate | Errors.TemplateAlreadyExists | Errors.UnknownBrand | DatabaseError
    >
    readonly update: (
      systemName: Ids.TemplateName | string,
      input: Template.UpdateTemplateInput,
    ) => Effect.Effect<
      Template.TemplateDefinition,
      | Errors.UnknownTemplate
      | Errors.InvalidTemplate
      | Errors.TemplateEvolutionRejected
      | Errors.UnknownBrand
      | DatabaseError
    >
    readonly get: (
      systemName: Ids.TemplateName | string,
    ) => Effect.Effect<Template.TemplateDefinition, Errors.UnknownTemplate | DatabaseError>
    /** Built-in and custom templates, by category then system name. */
    readonly list: (options?: {
      readonly category?: Template.Category | undefined
    }) => Effect.Effect<ReadonlyArray<Template.TemplateDefinition>, DatabaseError>
    /** Whether any action of the template was recorded. */
    readonly inUse: (systemName: Ids.TemplateName | string) => Effect.Effect<boolean, DatabaseError>
  }
>()("@actionlog/store/Templates") {
  static readonly layer = Layer.effect(
    Templates,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache

      const all = Effect.map(db.query("SELECT definition FROM templates"), mergeTemplates)

      const get = Effect.fn("Templates.get")(function* (systemName: string) {
        const [row] = yield* db.query("SELECT definition FROM templates WHERE name = ?", [
          systemName,
        ])
        if (row !== undefined)
          return JSON.parse(row["definition"] as string) as Template.TemplateDefinition
        const builtIn = Catalog.getBuiltInTemplate(systemName)
        if (builtIn !== undefined) return builtIn.definition
        return yield* new Errors.UnknownTemplate({ template: systemName })
      })

      const inUse = (systemName: string) =>
        Effect.map(
          db.query("SELECT 1 FROM actions WHERE template = ? LIMIT 1", [systemName]),
          (rows) => rows.length > 0,
        )

      const checkBrands = (brands: ReadonlyArray<string>) =>
        Effect.gen(function* () {
          for (const b of brands) {
            const rows = yield* db.query("SELECT 1 FROM brands WHERE id = ?", [b])
            if (rows.length === 0) return yield* new Errors.UnknownBrand({ brand: b })
          }
        })

      const save = (def: Template.TemplateDefinition) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          yield* db.execute(
            `INSERT INTO templates (name, category, built_in, definition, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
            [def.systemName, def.category, def.builtIn ? 1 : 0, JSON.stringify(def), now, now],
          )
          yield* cache.bump
        })

      const create = Effect.fn("Templates.create")(function* (input: Template.CreateTemplateInput) {
        const made = Template.makeTemplateDefinition(input)
        if (Result.isFailure(made)) return yield* made.failure
        const def = made.success
        return yield* db.transaction(
          Effect.gen(function* () {
            const existing = yield* db.query("SELECT 1 FROM templates WHERE name = ?", [
              def.systemName,
            ])
            if (existing.length > 0 || Catalog.isBuiltIn(def.systemName)) {
              return yield* new Errors.TemplateAlreadyExists({ template: def.systemName })
            }
            yield* checkBrands(def.allowedBrands)
            yield* save(def)
            return def
          }),
        )
      })

      const update = Effect.fn("Templates.update")(function* (
        systemName: string,
        input: Template.UpdateTemplateInput,
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* get(systemName)
            const applied = Template.applyTemplateUpdate(before, input)
            if (Result.isFailure(applied)) return yield* applied.failure
            const used = yield* inUse(systemName)
            const after = Template.ensureTemplateEvolution(before, applied.success, { inUse: used })
            if (Result.isFailure(after)) return yield* after.failure
            yield* checkBrands(after.success.allowedBrands)
            yield* save(after.success)
            return after.success
          }),
        )
      })

      const list = (options?: { readonly category?: Template.Category | undefined }) =>
        Effect.map(all, (byName) =>
          [...byName.values()]
            .filter((t) => options?.category === undefined || t.category === options.category)
            .sort((a, b) =>
              a.category === b.category
                ? a.systemName.localeCompare(b.systemName)
                : a.category.localeCompare(b.category),
            ),
        )

      return Templates.of({
        create,
        update,
        get,
        list,
        inUse: (systemName: string) => inUse(systemName),
      })
    }),
  )
}
