/**
 * A form generated from a JSON Schema (what `Schema.toJsonSchemaDocument` makes of a built-in
 * payload schema, or what we build from a template's custom fields). Scalars and enums get
 * inputs, objects nest, lists of objects (order lines) are rows of fields, lists of scalars
 * (promo codes) one input per item; only what none of these fits (unions) is edited as JSON.
 */
import { useId } from "react"

export interface JsonSchema {
  readonly type?: string | ReadonlyArray<string>
  readonly properties?: Readonly<Record<string, JsonSchema>>
  readonly required?: ReadonlyArray<string>
  readonly enum?: ReadonlyArray<unknown>
  readonly items?: JsonSchema
  readonly format?: string
  readonly description?: string
  readonly title?: string
  readonly anyOf?: ReadonlyArray<JsonSchema>
  readonly oneOf?: ReadonlyArray<JsonSchema>
  readonly $ref?: string
  readonly const?: unknown
}

export type FormValue = Record<string, unknown>

const humanKey = (k: string): string =>
  k.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase())

const typeOf = (s: JsonSchema): string | undefined => {
  if (s.enum) return "enum"
  if (typeof s.type === "string") return s.type
  return undefined
}

/** Text for JSON-edited values is kept as a string until it parses. */
export class JsonText {
  constructor(readonly text: string) {}
}

/** Turns the form state into the payload: drops empty optionals, parses JSON-edited parts. */
export const collectValue = (
  schema: JsonSchema,
  value: FormValue,
): { readonly value: FormValue } | { readonly error: string } => {
  const out: FormValue = {}
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const v = value[key]
    if (v === undefined || v === "") continue
    if (v instanceof JsonText) {
      if (!v.text.trim()) continue
      try {
        out[key] = JSON.parse(v.text)
      } catch {
        return { error: `${humanKey(key)}: not valid JSON` }
      }
      continue
    }
    if (Array.isArray(v) && prop.items) {
      const items: unknown[] = []
      const itemSchema = prop.items
      for (const [i, item] of v.entries()) {
        if (typeOf(itemSchema) === "object" && typeof item === "object" && item !== null) {
          const inner = collectValue(itemSchema, item as FormValue)
          if ("error" in inner) return { error: `${humanKey(key)} › ${i + 1}: ${inner.error}` }
          if (Object.keys(inner.value).length > 0) items.push(inner.value)
        } else if (item !== undefined && item !== "") items.push(item)
      }
      if (items.length > 0) out[key] = items
      continue
    }
    if (typeOf(prop) === "object" && typeof v === "object" && v !== null) {
      const inner = collectValue(prop, v as FormValue)
      if ("error" in inner) return { error: `${humanKey(key)} › ${inner.error}` }
      if (Object.keys(inner.value).length > 0) out[key] = inner.value
      continue
    }
    out[key] = v
  }
  return { value: out }
}

export const SchemaForm = ({
  schema,
  value,
  onChange,
  prefix = "",
}: {
  readonly schema: JsonSchema
  readonly value: FormValue
  readonly onChange: (v: FormValue) => void
  readonly prefix?: string
}) => {
  const props = Object.entries(schema.properties ?? {})
  if (props.length === 0) return <p className="muted small">No fields.</p>
  const required = new Set(schema.required ?? [])
  return (
    <div className="form">
      {props.map(([key, prop]) => (
        <SchemaField
          key={key}
          name={key}
          path={prefix ? `${prefix}.${key}` : key}
          schema={prop}
          required={required.has(key)}
          value={value[key]}
          onChange={(v) => onChange({ ...value, [key]: v })}
        />
      ))}
    </div>
  )
}

const SchemaField = ({
  name,
  path,
  schema,
  required,
  value,
  onChange,
}: {
  readonly name: string
  readonly path: string
  readonly schema: JsonSchema
  readonly required: boolean
  readonly value: unknown
  readonly onChange: (v: unknown) => void
}) => {
  const id = useId()
  const label = (
    <>
      {schema.title ?? humanKey(name)}
      {required ? <span aria-hidden> *</span> : <span className="muted"> (optional)</span>}
    </>
  )
  const t = typeOf(schema)
  const hint = schema.description ? <span className="hint">{schema.description}</span> : null

  if (t === "object" && schema.properties) {
    return (
      <fieldset className="card" style={{ padding: 12, margin: 0 }}>
        <legend className="field-label" style={{ padding: "0 4px" }}>
          {label}
        </legend>
        <SchemaForm
          schema={schema}
          prefix={path}
          value={
            (typeof value === "object" && value !== null && !(value instanceof JsonText)
              ? value
              : {}) as FormValue
          }
          onChange={onChange}
        />
      </fieldset>
    )
  }

  if (t === "array" && schema.items && !(value instanceof JsonText)) {
    const items = Array.isArray(value) ? (value as unknown[]) : []
    const itemSchema = schema.items
    const it = typeOf(itemSchema)
    const set = (next: unknown[]) => onChange(next.length === 0 ? undefined : next)
    const singular = humanKey(name).replace(/s$/, "").replace(/ie$/, "y")
    if (it === "object" && itemSchema.properties) {
      return (
        <fieldset className="card list-editor" style={{ padding: 12, margin: 0 }} data-field={path}>
          <legend className="field-label" style={{ padding: "0 4px" }}>
            {label}
          </legend>
          {hint}
          {items.map((item, i) => (
            <fieldset key={i} className="list-row" aria-label={`${singular} ${i + 1}`}>
              <legend className="small muted">
                {singular} {i + 1}
              </legend>
              <SchemaForm
                schema={itemSchema}
                prefix={`${path}.${i}`}
                value={(typeof item === "object" && item !== null ? item : {}) as FormValue}
                onChange={(v) => set(items.map((x, j) => (j === i ? v : x)))}
              />
              <button
                type="button"
                className="btn btn-sm btn-ghost"
                onClick={() => set(items.filter((_, j) => j !== i))}
              >
                Remove {singular.toLowerCase()} {i + 1}
              </button>
            </fieldset>
          ))}
          <div>
            <button type="button" className="btn btn-sm" onClick={() => set([...items, {}])}>
              Add {singular.toLowerCase()}
            </button>
          </div>
        </fieldset>
      )
    }
    if (it === "string" || it === "integer" || it === "number") {
      return (
        <fieldset
          className="field list-editor"
          style={{ border: 0, padding: 0, margin: 0 }}
          data-field={path}
        >
          <legend className="field-label">{label}</legend>
          {items.map((item, i) => (
            <div key={i} className="toolbar">
              <input
                className="input"
                style={{ flex: 1, width: "auto" }}
                aria-label={`${singular} ${i + 1}`}
                type={it === "string" ? "text" : "number"}
                value={item === undefined ? "" : String(item)}
                onChange={(e) => {
                  const raw = e.target.value
                  const v = it === "string" ? raw : raw === "" ? undefined : Number(raw)
                  set(items.map((x, j) => (j === i ? v : x)))
                }}
              />
              <button
                type="button"
                className="btn btn-sm btn-ghost"
                aria-label={`Remove ${singular.toLowerCase()} ${i + 1}`}
                onClick={() => set(items.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            </div>
          ))}
          <div>
            <button type="button" className="btn btn-sm" onClick={() => set([...items, ""])}>
              Add {singular.toLowerCase()}
            </button>
          </div>
          {hint}
        </fieldset>
      )
    }
  }

  let control
  if (t === "enum") {
    control = (
      <select
        id={id}
        className="select"
        data-field={path}
        required={required}
        value={value === undefined ? "" : String(value)}
        onChange={(e) => {
          const picked = schema.enum!.find((x) => String(x) === e.target.value)
          onChange(e.target.value === "" ? undefined : picked)
        }}
      >
        <option value="">—</option>
        {schema.enum!.map((x) => (
          <option key={String(x)} value={String(x)}>
            {String(x)}
          </option>
        ))}
      </select>
    )
  } else if (t === "boolean") {
    control = (
      <select
        id={id}
        className="select"
        data-field={path}
        required={required}
        value={value === undefined ? "" : String(value)}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value === "true")}
      >
        <option value="">—</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>
    )
  } else if (t === "integer" || t === "number") {
    control = (
      <input
        id={id}
        className="input"
        type="number"
        data-field={path}
        step={t === "integer" ? 1 : "any"}
        required={required}
        value={typeof value === "number" ? value : ""}
        onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
      />
    )
  } else if (t === "string") {
    const isDate = schema.format === "date"
    const isDateTime = schema.format === "date-time"
    control = (
      <input
        id={id}
        className="input"
        data-field={path}
        type={isDate ? "date" : "text"}
        placeholder={isDateTime ? "2026-01-31T12:00:00Z" : undefined}
        required={required}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
      />
    )
  } else {
    const text =
      value instanceof JsonText
        ? value.text
        : value === undefined
          ? ""
          : JSON.stringify(value, null, 2)
    control = (
      <textarea
        id={id}
        className="textarea mono"
        data-field={path}
        placeholder={t === "array" ? "[ … ] (JSON)" : "JSON"}
        value={text}
        onChange={(e) => onChange(new JsonText(e.target.value))}
      />
    )
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {hint}
    </div>
  )
}
