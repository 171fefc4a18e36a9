/** Actions export: a form that builds a `GET /api/export/actions` link (the session cookie signs it). */
import { useState } from "react"
import { useRegistry } from "../registry"
import { Card, Field, PageHeader, TemplateOptions } from "../ui/common"

const DAY_MS = 86_400_000

/** `datetime-local` value (local time, minutes) for an instant. */
const toLocalInput = (ms: number): string => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000)
  return d.toISOString().slice(0, 16)
}

const toIso = (local: string): string | undefined => {
  const ms = new Date(local).getTime()
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined
}

export const exportHref = (f: {
  readonly since: string
  readonly till: string
  readonly template: string
  readonly channel: string
  readonly brand: string
}): string | undefined => {
  const since = toIso(f.since)
  const till = toIso(f.till)
  if (!since || !till) return undefined
  const q = new URLSearchParams({ since, till })
  if (f.template) q.set("template", f.template)
  if (f.channel) q.set("channel", f.channel)
  if (f.brand) q.set("brand", f.brand)
  return `/api/export/actions?${q.toString()}`
}

export const ExportPage = () => {
  const registry = useRegistry()
  const [form, setForm] = useState(() => {
    const now = Date.now()
    return {
      since: toLocalInput(now - 30 * DAY_MS),
      till: toLocalInput(now + 60_000),
      template: "",
      channel: "",
      brand: "",
    }
  })
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value })
  const href = exportHref(form)
  const badWindow = href !== undefined && form.since >= form.till

  return (
    <div className="page">
      <PageHeader
        title="Export actions"
        sub="Every action recorded in a window, one JSON object per line (NDJSON), in recorded order. Large windows stream; each export is audited."
      />
      <Card title="Window and filters" testId="export-form">
        <div className="form">
          <div className="form-row">
            <Field label="Recorded since (inclusive)">
              {(id) => (
                <input
                  id={id}
                  className="input"
                  type="datetime-local"
                  value={form.since}
                  onChange={set("since")}
                />
              )}
            </Field>
            <Field label="Recorded till (exclusive)">
              {(id) => (
                <input
                  id={id}
                  className="input"
                  type="datetime-local"
                  value={form.till}
                  onChange={set("till")}
                />
              )}
            </Field>
          </div>
          <div className="form-row">
            <Field label="Template (optional)">
              {(id) => (
                <select id={id} className="input" value={form.template} onChange={set("template")}>
                  <option value="">Any template</option>
                  <TemplateOptions templates={registry.templates} />
                </select>
              )}
            </Field>
            <Field label="Channel (optional, with sub-channels)">
              {(id) => (
                <select id={id} className="input" value={form.channel} onChange={set("channel")}>
                  <option value="">Any channel</option>
                  {registry.channels.map((c) => (
                    <option key={c.id} value={c.id}>
                      {registry.channelPathLabel(c.id)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Brand (optional)">
              {(id) => (
                <select id={id} className="input" value={form.brand} onChange={set("brand")}>
                  <option value="">Any brand</option>
                  {registry.brands.map((b) => (
                    <option key={b.id} value={b.id}>
                      {b.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          {badWindow ? (
            <div className="alert alert-error" role="alert">
              “Since” must be before “till”.
            </div>
          ) : null}
          <div className="toolbar">
            {href && !badWindow ? (
              <a
                className="btn btn-primary"
                href={href}
                download="actions.ndjson"
                data-testid="export-link"
              >
                Download NDJSON
              </a>
            ) : (
              <span className="muted">Choose a valid window.</span>
            )}
          </div>
        </div>
      </Card>
    </div>
  )
}
