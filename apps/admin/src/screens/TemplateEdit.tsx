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
import { Badge, Card, CategoryBadge, Empty, ErrorBox, Loading, PageHeader } from "../ui/common"

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
  const [saved, setSaved] = useState(false)

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
        navigate(`/templates/${encodeURIComponent(t.systemName)}`, { replace: true })
      },
    }),
  )
  const update = useMutation(trpc.templates.update.mutationOptions({ onSuccess: onSaved }))
  const error = create.error ?? update.error
  const pending = create.isPending || update.isPending
  const derived = displayName.trim() ? Template.deriveSystemName(displayName) : ""

  const setField = (key: number, patch: Partial<FieldDraft>) =>
    setFields(fields.map((f) => (f.key === key ? { ...f, ...patch } : f)))

  const submit = () => {
    setSaved(false)
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
        {error ? (
          <div data-testid="template-error">
            <ErrorBox error={error} title="The change was refused" />
          </div>
        ) : null}
        {saved ? <div className="alert alert-ok">Saved.</div> : null}
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
              {fields.map((f, i) => (
                <div
                  key={f.key}
                  className="form-row"
                  style={{ alignItems: "end", gridTemplateColumns: "1.2fr 1.2fr auto 1.5fr auto" }}
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
                      onChange={(e) => setField(f.key, { name: e.target.value })}
                    />
                  </div>
                  <div className="field">
                    <label htmlFor={`f-type-${f.key}`}>Type</label>
                    <select
                      id={`f-type-${f.key}`}
                      className="select"
                      aria-label={`Field ${i + 1} type`}
                      disabled={readOnly}
                      value={f.type}
                      onChange={(e) => setField(f.key, { type: e.target.value as CustomFieldType })}
                    >
                      {Template.customFieldTypes.map((t) => (
                        <option key={t} value={t}>
                          {typeLabels[t]}
                        </option>
                      ))}
                    </select>
                  </div>
                  <label className="checkbox" style={{ height: 32 }}>
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
                        onChange={(e) => setField(f.key, { values: e.target.value })}
                      />
                    </div>
                  ) : (
                    <div className="field">
                      <label htmlFor={`f-desc-${f.key}`}>Description</label>
                      <input
                        id={`f-desc-${f.key}`}
                        className="input"
                        disabled={readOnly}
                        value={f.description}
                        onChange={(e) => setField(f.key, { description: e.target.value })}
                      />
                    </div>
                  )}
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
              ))}
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
            <button type="submit" className="btn btn-primary" disabled={pending}>
              {pending ? "Saving…" : isNew ? "Create template" : "Save changes"}
            </button>
          </div>
        )}
      </form>
    </div>
  )
}
