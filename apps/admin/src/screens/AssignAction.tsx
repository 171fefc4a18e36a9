import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useMemo, useState } from "react"
import { Schema } from "effect"
import { Catalog, Registry, Template } from "@actionlog/domain"
import { fromLocalInput, toLocalInput } from "../format"
import { type TemplateDef, useRegistry } from "../registry"
import { Link, navigate } from "../router"
import { useTRPC } from "../trpc"
import { Card, CategoryBadge, ErrorBox, Loading, PageHeader } from "../ui/common"
import { collectValue, type FormValue, type JsonSchema, SchemaForm } from "../ui/SchemaForm"
import { customerName } from "./customerName"

/** A built-in template's payload schema as JSON Schema (the form is generated from it). */
const payloadJsonSchema = (systemName: string): JsonSchema | undefined => {
  const builtIn = Catalog.getBuiltInTemplate(systemName)
  if (!builtIn) return undefined
  try {
    return Schema.toJsonSchemaDocument(builtIn.payload as Schema.Top).schema as JsonSchema
  } catch {
    return undefined
  }
}

/** A template's custom fields as JSON Schema, so one form renderer serves both. */
const customFieldsJsonSchema = (
  fields: ReadonlyArray<Template.CustomFieldDefinition>,
): JsonSchema => {
  const properties: Record<string, JsonSchema> = {}
  for (const f of fields) {
    const description = f.description
    const base = description ? { description } : {}
    switch (f.type) {
      case "integer":
        properties[f.name] = { ...base, type: "integer" }
        break
      case "decimal":
        properties[f.name] = { ...base, type: "number" }
        break
      case "boolean":
        properties[f.name] = { ...base, type: "boolean" }
        break
      case "date":
        properties[f.name] = { ...base, type: "string", format: "date" }
        break
      case "datetime":
        properties[f.name] = { ...base, type: "string", format: "date-time" }
        break
      case "enum":
        properties[f.name] = { ...base, enum: f.values }
        break
      case "externalIdentity":
        properties[f.name] = {
          type: "string",
          description: description ?? "Unique across all actions of this template.",
        }
        break
      case "string":
        properties[f.name] = { ...base, type: "string" }
        break
    }
  }
  return {
    type: "object",
    properties,
    required: fields.filter((f) => f.required).map((f) => f.name),
  }
}

export const AssignActionPage = ({ customerId }: { readonly customerId: string }) => {
  const trpc = useTRPC()
  const registry = useRegistry()
  const customer = useQuery(trpc.customers.get.queryOptions({ id: customerId }))
  const settings = useQuery(trpc.settings.get.queryOptions())
  const [templateName, setTemplateName] = useState("")

  if (!registry.ready || customer.isPending || settings.isPending)
    return registry.error ? <ErrorBox error={registry.error} /> : <Loading />
  if (customer.isError) return <ErrorBox error={customer.error} />
  if (settings.isError) return <ErrorBox error={settings.error} />
  const template = registry.template(templateName)
  const backTo = `/customers/${encodeURIComponent(customerId)}`

  return (
    <div className="page" style={{ maxWidth: 860 }}>
      <PageHeader
        crumbs={
          <>
            <Link to="/customers">Customers</Link> ›{" "}
            <Link to={backTo}>{customerName(customer.data)}</Link>
          </>
        }
        title="Assign action"
        sub="Record an action of any template for this customer. It is attributed to you."
      />
      <Card title="Template">
        <div className="field">
          <label htmlFor="assign-template">What happened</label>
          <select
            id="assign-template"
            className="select"
            value={templateName}
            onChange={(e) => setTemplateName(e.target.value)}
          >
            <option value="">Choose a template…</option>
            {Template.categories.map((c) => (
              <optgroup key={c} label={c === "personal" ? "Personal" : "System"}>
                {registry.templates
                  .filter((t) => t.category === c)
                  .sort((a, b) => a.displayName.localeCompare(b.displayName))
                  .map((t) => (
                    <option key={t.systemName} value={t.systemName}>
                      {t.displayName}
                      {t.builtIn ? "" : " (custom)"}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
          {template ? (
            <span className="hint">
              <CategoryBadge category={template.category} /> {template.description}
            </span>
          ) : null}
        </div>
      </Card>
      {template ? (
        <AssignForm
          key={`${template.systemName}@${template.version}`}
          template={template}
          customerId={customerId}
          multiBrand={settings.data.multiBrand}
          defaultTouchpointId={settings.data.defaultTouchpointId}
          backTo={backTo}
        />
      ) : null}
    </div>
  )
}

const AssignForm = ({
  template,
  customerId,
  multiBrand,
  defaultTouchpointId,
  backTo,
}: {
  readonly template: TemplateDef
  readonly customerId: string
  readonly multiBrand: boolean
  readonly defaultTouchpointId: string | undefined
  readonly backTo: string
}) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const registry = useRegistry()
  const payloadSchema = useMemo(() => payloadJsonSchema(template.systemName), [template.systemName])
  const fieldsSchema = useMemo(
    () => customFieldsJsonSchema(template.customFields),
    [template.customFields],
  )
  // The touchpoint the server records staff actions at when none is named.
  const adminTouchpoint = Registry.adminPanelTouchpoint(registry.touchpoints)
  const [touchpointId, setTouchpointId] = useState(adminTouchpoint?.id ?? defaultTouchpointId ?? "")
  const [brand, setBrand] = useState("")
  const [occurredAt, setOccurredAt] = useState(() => toLocalInput(new Date().toISOString()))
  const [payload, setPayload] = useState<FormValue>({})
  const [fields, setFields] = useState<FormValue>({})
  const [rawPayload, setRawPayload] = useState("{}")
  const [localError, setLocalError] = useState<string | null>(null)

  const record = useMutation(
    trpc.actions.record.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.actions.pathKey() })
        navigate(backTo)
      },
    }),
  )

  const submit = () => {
    setLocalError(null)
    let payloadValue: FormValue = {}
    if (payloadSchema) {
      const r = collectValue(payloadSchema, payload)
      if ("error" in r) return setLocalError(r.error)
      payloadValue = r.value
    } else if (template.builtIn) {
      try {
        payloadValue = JSON.parse(rawPayload || "{}") as FormValue
      } catch {
        return setLocalError("Payload: not valid JSON")
      }
    }
    const cf = collectValue(fieldsSchema, fields)
    if ("error" in cf) return setLocalError(cf.error)
    const when = fromLocalInput(occurredAt)
    record.mutate({
      customer: { id: customerId },
      template: template.systemName,
      ...(when ? { occurredAt: when } : {}),
      ...(touchpointId ? { touchpoint: { id: touchpointId } } : {}),
      ...(brand ? { brand } : {}),
      payload: payloadValue,
      customFields: cf.value,
    })
  }

  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      {record.error ? <ErrorBox error={record.error} title="The action was rejected" /> : null}
      {localError ? <div className="alert alert-error">{localError}</div> : null}
      <Card title="Where and when">
        <div className="form-row">
          <div className="field">
            <label htmlFor="assign-touchpoint">Touchpoint</label>
            <select
              id="assign-touchpoint"
              className="select"
              value={touchpointId}
              onChange={(e) => setTouchpointId(e.target.value)}
            >
              <option value="">Project default</option>
              {registry.touchpoints
                .filter((t) => !t.deleted)
                .map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name} — {registry.channelPathLabel(t.channelId)}
                  </option>
                ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="assign-when">Event time</label>
            <input
              id="assign-when"
              className="input"
              type="datetime-local"
              value={occurredAt}
              onChange={(e) => setOccurredAt(e.target.value)}
            />
            <span className="hint">A past time records a backfill; at most 5 minutes ahead.</span>
          </div>
          {multiBrand ? (
            <div className="field">
              <label htmlFor="assign-brand">Brand</label>
              <select
                id="assign-brand"
                className="select"
                value={brand}
                onChange={(e) => setBrand(e.target.value)}
              >
                <option value="">From the touchpoint</option>
                {registry.brands
                  .filter(
                    (b) =>
                      template.allowedBrands.length === 0 || template.allowedBrands.includes(b.id),
                  )
                  .map((b) => (
                    <option key={b.id} value={b.id}>
                      {b.name}
                    </option>
                  ))}
              </select>
            </div>
          ) : null}
        </div>
      </Card>
      {template.builtIn ? (
        <Card title="Payload">
          {payloadSchema ? (
            <SchemaForm schema={payloadSchema} value={payload} onChange={setPayload} />
          ) : (
            <div className="field">
              <label htmlFor="assign-raw">Payload (JSON)</label>
              <textarea
                id="assign-raw"
                className="textarea mono"
                value={rawPayload}
                onChange={(e) => setRawPayload(e.target.value)}
              />
            </div>
          )}
        </Card>
      ) : null}
      {template.customFields.length > 0 ? (
        <Card title="Custom fields" testId="assign-custom-fields">
          <SchemaForm schema={fieldsSchema} value={fields} onChange={setFields} />
        </Card>
      ) : null}
      <div className="form-actions">
        <Link to={backTo} className="btn">
          Cancel
        </Link>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={record.isPending}
          data-testid="record-action"
        >
          {record.isPending ? "Recording…" : "Record action"}
        </button>
      </div>
    </form>
  )
}
