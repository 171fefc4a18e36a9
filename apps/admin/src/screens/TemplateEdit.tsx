import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { Template } from "@actionlog/domain"

type Category = Template.Category
type CustomFieldDefinition = Template.CustomFieldDefinition
type CustomFieldType = Template.CustomFieldType
import { useCan } from "../auth"
import { templateFilterQuery } from "../feed/filterUrl"
import { type TemplateDef, useRegistry } from "../registry"
import { Link, navigate } from "../router"
import { useTRPC } from "../trpc"
import {
  Badge,
  Card,
  CategoryBadge,
  Empty,
  ErrorBox,
  errorInfo,
  Loading,
  PageHeader,
} from "../ui/common"

/** A custom field row while being edited (enum values as text). */
interface FieldDraft {
  readonly key: number
  readonly name: string
  readonly type: CustomFieldType
  readonly required: boolean
  readonly description: string
  readonly values: string
  /** Present in the saved template (type changes are refused by the evolution rule). */
  readonly existing: boolean
}

const typeLabels: Record<CustomFieldType, string> = {
  integer: "Integer",
  decimal: "Decimal",
  string: "String",
  boolean: "Boolean",
  date: "Date",
  datetime: "Date & time",
  enum: "Enum (list of values)",
  externalIdentity: "External identity (unique)",
}

let nextKey = 1
const toDraft = (f: CustomFieldDefinition): FieldDraft => ({
  key: nextKey++,
  name: f.name,
  type: f.type,
  required: f.required,
  description: f.description ?? "",
  values: f.type === "enum" ? f.values.join(", ") : "",
  existing: true,
})

const fromDraft = (d: FieldDraft): CustomFieldDefinition => {
  const base = {
    name: d.name.trim(),
    required: d.required,
    ...(d.description.trim() ? { description: d.description.trim() } : {}),
  }
  if (d.type === "enum")
    return {
      ...base,
      type: "enum",
      values: d.values
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean),
    }
  return { ...base, type: d.type }
}

const splitTags = (s: string) => [
  ...new Set(
    s
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  ),
]

export const TemplateEditPage = ({ name }: { readonly name?: string }) => {
  const registry = useRegistry()
  if (name === undefined) return <TemplateForm />
  if (!registry.ready && !registry.error) return <Loading />
  if (registry.error) return <ErrorBox error={registry.error} />
  const template = registry.template(name)
  if (!template)
    return (
      <div className="page">
        <Empty title="Template not found">
          <Link to="/templates">Back to templates</Link>
        </Empty>
      </div>
    )
  // Keyed by name only: saving bumps the version, and the form (with its "Saved." note) stays.
  return <TemplateForm key={template.systemName} template={template} />
}

const TemplateForm = ({ template }: { readonly template?: TemplateDef }) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const registry = useRegistry()
  const can = useCan()
  const editable = can("templates.manage")
  const isNew = template === undefined
  const builtIn = template?.builtIn ?? false

  const [displayName, setDisplayName] = useState(template?.displayName ?? "")
  const [systemName, setSystemName] = useState("")
  const [category, setCategory] = useState<Category>(template?.category ?? "personal")
  const [description, setDescription] = useState(template?.description ?? "")
  const [tags, setTags] = useState((template?.tags ?? []).join(", "))
  const [brands, setBrands] = useState<ReadonlyArray<string>>(template?.allowedBrands ?? [])
  const [fields, setFields] = useState<ReadonlyArray<FieldDraft>>(
    (template?.customFields ?? []).map(toDraft),
  )
  const [saved, setSaved] = useState(
    () => new URLSearchParams(window.location.search).get("created") === "1",
  )

  const onSaved = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.templates.pathKey() })
    // Saved fields now exist: their names are fixed from here on.
    setFields((list) => list.map((f) => ({ ...f, existing: true })))
    setSaved(true)
  }
  const create = useMutation(
    trpc.templates.create.mutationOptions({
      onSuccess: async (t) => {
        await onSaved()
        // The edit page is a new form: `created` tells it to confirm the creation.
        navigate(`/templates/${encodeURIComponent(t.systemName)}?created=1`, { replace: true })
      },
    }),
  )
  const update = useMutation(trpc.templates.update.mutationOptions({ onSuccess: onSaved }))
  const error = create.error ?? update.error
  const pending = create.isPending || update.isPending
  const derived = displayName.trim() ? Template.deriveSystemName(displayName) : ""

  // Checked as staff type, in words and next to the field; the server checks again.
  const fieldProblems = checkDrafts(fields)
  const serverField = fieldErrorOf(error)
  const hasProblems = fieldProblems.some((p) => Object.keys(p).length > 0)
  const [touched, setTouched] = useState<ReadonlySet<number>>(new Set())
  const [tried, setTried] = useState(false)
  const shown = (key: number) => tried || touched.has(key)
  const touch = (key: number) => setTouched((t) => (t.has(key) ? t : new Set([...t, key])))

  const setField = (key: number, patch: Partial<FieldDraft>) =>
    setFields(fields.map((f) => (f.key === key ? { ...f, ...patch } : f)))

  const submit = () => {
    setSaved(false)
    setTried(true)
    if (hasProblems) return
    const customFields = fields.map(fromDraft)
    const common = {
      description,
      tags: splitTags(tags),
      allowedBrands: brands,
      customFields,
    }
    if (isNew)
      create.mutate({
        displayName: displayName.trim(),
        category,
        ...(systemName.trim() ? { systemName: systemName.trim() } : {}),
        ...common,
      })
    else
      update.mutate({
        systemName: template.systemName,
        changes: builtIn ? { customFields } : { displayName: displayName.trim(), ...common },
      })
  }

  const readOnly = !editable
  const definitionLocked = readOnly || builtIn

  return (
    <div className="page" style={{ maxWidth: 920 }}>
      <PageHeader
        crumbs={<Link to="/templates">Templates</Link>}
        title={isNew ? "New template" : template.displayName}
        sub={
          isNew ? (
            "A custom template for actions your systems or staff record."
          ) : (
            <>
              <span className="mono">{template.systemName}</span> ·{" "}
              <CategoryBadge category={template.category} />{" "}
              <Badge tone="outline">{builtIn ? "built-in" : "custom"}</Badge>{" "}
              <span className="small">version {template.version}</span>
            </>
          )
        }
        actions={
          !isNew && can("actions.view") ? (
            <Link className="btn" to={`/actions?${templateFilterQuery(template.systemName)}`}>
              Same actions →
            </Link>
          ) : null
        }
      />

      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          submit()
        }}
      >
        {error && !serverField ? (
          <div data-testid="template-error">
            <ErrorBox error={error} title="The change was refused" />
          </div>
        ) : null}
        {error && serverField ? (
          <div className="alert alert-error" role="alert" data-testid="template-error">
            The change was refused: see field {serverField.index + 1} below.
          </div>
        ) : null}
        {saved ? (
          <div className="alert alert-ok" role="status">
            Saved.
          </div>
        ) : null}
        {builtIn ? (
          <div className="alert alert-info">
            Built-in templates keep their name, category and payload; you can add custom fields to
            them.
          </div>
        ) : null}

        <Card title="Definition">
          <div className="form">
            <div className="form-row">
              <div className="field">
                <label htmlFor="tpl-name">Name</label>
                <input
                  id="tpl-name"
                  className="input"
                  required
                  disabled={definitionLocked}
                  value={displayName}
                  onChange={(e) => setDisplayName(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="tpl-system">System name</label>
                {isNew ? (
                  <input
                    id="tpl-system"
                    className="input mono"
                    placeholder={derived || "derived from the name"}
                    value={systemName}
                    onChange={(e) => setSystemName(e.target.value)}
                  />
                ) : (
                  <input
                    id="tpl-system"
                    className="input mono"
                    disabled
                    value={template.systemName}
                  />
                )}
                <span className="hint">
                  {isNew
                    ? "Stable id used by API callers; fixed once created."
                    : "Fixed once created."}
                </span>
              </div>
            </div>
            <div className="field">
              <span className="field-label">Category</span>
              <div className="toolbar" role="radiogroup" aria-label="Category">
                {Template.categories.map((c) => (
                  <label key={c} className="checkbox">
                    <input
                      type="radio"
                      name="category"
                      value={c}
                      checked={category === c}
                      disabled={!isNew}
                      onChange={() => setCategory(c)}
                    />
                    {c === "personal"
                      ? "Personal — performed by the customer"
                      : "System — done for the customer"}
                  </label>
                ))}
              </div>
            </div>
            <div className="field">
              <label htmlFor="tpl-desc">Description</label>
              <textarea
                id="tpl-desc"
                className="textarea"
                disabled={definitionLocked}
                value={description}
                onChange={(e) => setDescription(e.target.value)}
              />
            </div>
            <div className="form-row">
              <div className="field">
                <label htmlFor="tpl-tags">Tags</label>
                <input
                  id="tpl-tags"
                  className="input"
                  placeholder="comma, separated"
                  disabled={definitionLocked}
                  value={tags}
                  onChange={(e) => setTags(e.target.value)}
                />
              </div>
              <div className="field">
                <span className="field-label">Allowed brands</span>
                {registry.brands.length === 0 ? (
                  <span className="muted small">No brands.</span>
                ) : (
                  <div className="toolbar">
                    {registry.brands.map((b) => (
                      <label key={b.id} className="checkbox small">
                        <input
                          type="checkbox"
                          disabled={definitionLocked}
                          checked={brands.includes(b.id)}
                          onChange={(e) =>
                            setBrands(
                              e.target.checked
                                ? [...brands, b.id]
                                : brands.filter((x) => x !== b.id),
                            )
                          }
                        />
                        {b.name}
                      </label>
                    ))}
                  </div>
                )}
                <span className="hint">None ticked = allowed for every brand.</span>
              </div>
            </div>
          </div>
        </Card>

        <Card
          title="Custom fields"
          actions={
            readOnly ? null : (
              <button
                type="button"
                className="btn btn-sm"
                onClick={() =>
                  setFields([
                    ...fields,
                    {
                      key: nextKey++,
                      name: "",
                      type: "string",
                      required: false,
                      description: "",
                      values: "",
                      existing: false,
                    },
                  ])
                }
              >
                Add field
              </button>
            )
          }
        >
          {fields.length === 0 ? (
            <p className="muted">No custom fields.</p>
          ) : (
            <div className="form" data-testid="custom-fields">
              {!isNew ? (
                <p className="hint small muted">
                  A template in use can gain optional fields but cannot change a field's type.
                </p>
              ) : null}
              {fields.map((f, i) => {
                const problems = fieldProblems[i] ?? {}
                const server = serverField?.index === i ? serverField : undefined
                const nameError =
                  (shown(f.key) ? problems.name : undefined) ??
                  (server?.part === "name" ? server.message : undefined)
                const valuesError =
                  (shown(f.key) ? problems.values : undefined) ??
                  (server?.part === "values" ? server.message : undefined)
                const otherError =
                  server && server.part !== "name" && server.part !== "values"
                    ? server.message
                    : undefined
                return (
                  <div key={f.key} data-testid="custom-field">
                    <div
                      className="form-row"
                      style={{
                        alignItems: "start",
                        gridTemplateColumns:
                          f.type === "enum"
                            ? "1.1fr 1fr auto 1.2fr 1.2fr auto"
                            : "1.2fr 1.2fr auto 1.5fr auto",
                      }}
                    >
                      <div className="field">
                        <label htmlFor={`f-name-${f.key}`}>Field name</label>
                        <input
                          id={`f-name-${f.key}`}
                          className="input mono"
                          aria-label={`Field ${i + 1} name`}
                          required
                          disabled={readOnly || f.existing}
                          value={f.name}
                          aria-invalid={nameError ? true : undefined}
                          aria-describedby={nameError ? `f-name-err-${f.key}` : undefined}
                          onBlur={() => touch(f.key)}
                          onChange={(e) => {
                            touch(f.key)
                            setField(f.key, { name: e.target.value })
                          }}
                        />
                        {nameError ? (
                          <span
                            className="error-text"
                            id={`f-name-err-${f.key}`}
                            data-testid="field-error"
                          >
                            {nameError}
                          </span>
                        ) : null}
                      </div>
                      <div className="field">
                        <label htmlFor={`f-type-${f.key}`}>Type</label>
                        <select
                          id={`f-type-${f.key}`}
                          className="select"
                          aria-label={`Field ${i + 1} type`}
                          disabled={readOnly}
                          value={f.type}
                          onChange={(e) =>
                            setField(f.key, { type: e.target.value as CustomFieldType })
                          }
                        >
                          {Template.customFieldTypes.map((t) => (
                            <option key={t} value={t}>
                              {typeLabels[t]}
                            </option>
                          ))}
                        </select>
                      </div>
                      <label className="checkbox" style={{ height: 32, marginTop: 22 }}>
                        <input
                          type="checkbox"
                          aria-label={`Field ${i + 1} required`}
                          disabled={readOnly}
                          checked={f.required}
                          onChange={(e) => setField(f.key, { required: e.target.checked })}
                        />
                        Required
                      </label>
                      {f.type === "enum" ? (
                        <div className="field">
                          <label htmlFor={`f-values-${f.key}`}>Values</label>
                          <input
                            id={`f-values-${f.key}`}
                            className="input"
                            aria-label={`Field ${i + 1} values`}
                            placeholder="gold, silver, bronze"
                            disabled={readOnly}
                            value={f.values}
                            aria-invalid={valuesError ? true : undefined}
                            onBlur={() => touch(f.key)}
                            onChange={(e) => setField(f.key, { values: e.target.value })}
                          />
                          {valuesError ? (
                            <span className="error-text" data-testid="field-error">
                              {valuesError}
                            </span>
                          ) : null}
                        </div>
                      ) : null}
                      {
                        <div className="field">
                          <label htmlFor={`f-desc-${f.key}`}>Description</label>
                          <input
                            id={`f-desc-${f.key}`}
                            className="input"
                            disabled={readOnly}
                            aria-label={`Field ${i + 1} description`}
                            value={f.description}
                            onChange={(e) => setField(f.key, { description: e.target.value })}
                          />
                        </div>
                      }
                      {readOnly ? (
                        <span />
                      ) : (
                        <button
                          type="button"
                          className="btn btn-sm btn-ghost btn-danger"
                          aria-label={`Remove field ${i + 1}`}
                          onClick={() => setFields(fields.filter((x) => x.key !== f.key))}
                        >
                          Remove
                        </button>
                      )}
                    </div>
                    {otherError ? (
                      <span className="error-text" data-testid="field-error">
                        {otherError}
                      </span>
                    ) : null}
                  </div>
                )
              })}
            </div>
          )}
        </Card>

        {readOnly ? (
          <p className="muted small">Your role may not change templates.</p>
        ) : (
          <div className="form-actions">
            <Link to="/templates" className="btn">
              Cancel
            </Link>
            {saved ? (
              <span className="small ok-text" role="status">
                Saved.
              </span>
            ) : null}
            <button type="submit" className="btn btn-primary" disabled={pending}>
              {pending ? "Saving…" : isNew ? "Create template" : "Save changes"}
            </button>
          </div>
        )}
      </form>
    </div>
  )
}

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

interface FieldProblems {
  readonly name?: string
  readonly values?: string
}

/** What is wrong with each field row, in words (empty object: nothing). */
const checkDrafts = (fields: ReadonlyArray<FieldDraft>): ReadonlyArray<FieldProblems> => {
  const seen = new Map<string, number>()
  return fields.map((f, i) => {
    const name = f.name.trim()
    const out: { name?: string; values?: string } = {}
    if (name === "") out.name = "Give the field a name."
    else if (!/^[A-Za-z]/.test(name)) out.name = "The name must start with a letter."
    else if (!FIELD_NAME.test(name))
      out.name =
        name.length > 64
          ? "The name can be at most 64 characters long."
          : "Use only letters, digits and _ (no spaces or other signs)."
    else if (seen.has(name)) out.name = `Field ${seen.get(name)! + 1} already has this name.`
    if (name) seen.set(name, seen.get(name) ?? i)
    if (f.type === "enum") {
      const values = f.values
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean)
      if (values.length === 0) out.values = "List at least one value, separated by commas."
      else if (new Set(values).size !== values.length) out.values = "Each value may appear once."
    }
    return out
  })
}

/**
 * A server refusal about one custom field (`customFields.1.name`, 0-based), as the field's
 * 0-based index and a message in words (no path, no error tag).
 */
const fieldErrorOf = (
  error: unknown,
): { readonly index: number; readonly part: string; readonly message: string } | undefined => {
  if (!error) return undefined
  const info = errorInfo(error)
  const text = `${info.path ?? ""} ${info.message}`
  const m = /customFields[.[](\d+)\]?\.?(\w+)?/.exec(text)
  if (!m) return undefined
  const index = Number(m[1])
  const part = m[2] ?? ""
  const reason = info.message
    .replace(/customFields[.[]\d+\]?\.?\w*:?\s*/g, "")
    .replace(/\s*\(?InputInvalid\)?\s*$/, "")
    .replace(/^Expected /, "Expected ")
    .trim()
  return { index, part, message: `Field ${index + 1}${part ? ` ${part}` : ""}: ${reason}` }
}
