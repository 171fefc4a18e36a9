/** Import: upload an NDJSON or CSV file of historical actions to `POST /api/import` (docs/data.md). */
import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { useRegistry } from "../registry"
import { useTRPC } from "../trpc"
import { Badge, Card, ErrorBox, Field, PageHeader, TemplateOptions } from "../ui/common"

interface RejectedLine {
  readonly line: number
  readonly tag: string
  readonly message: string
  readonly path?: string
}

interface ImportResult {
  readonly fileHash: string
  readonly lines: number
  readonly recorded: number
  readonly alreadyProcessed: number
  readonly rejected: number
  readonly resumedFrom: number
  readonly rejectedLines: ReadonlyArray<RejectedLine>
}

/** The server answers errors as tRPC does (`{ error: { message, data } }`), so ErrorBox fits. */
class UploadError extends Error {
  constructor(
    message: string,
    readonly data: unknown,
  ) {
    super(message)
  }
}

const upload = async (file: File, format: string, template: string): Promise<ImportResult> => {
  const q = new URLSearchParams({ format, name: file.name })
  if (template) q.set("template", template)
  const res = await fetch(`/api/import?${q.toString()}`, {
    method: "POST",
    body: file,
    headers: { "content-type": "application/octet-stream" },
    credentials: "same-origin",
  })
  const body = (await res.json().catch(() => null)) as
    (ImportResult & { error?: undefined }) | { error: { message: string; data: unknown } } | null
  if (!res.ok || !body || body.error) {
    const err = body?.error
    throw new UploadError(err?.message ?? `Upload failed (HTTP ${res.status})`, err?.data ?? null)
  }
  return body
}

const formatOf = (name: string): "ndjson" | "csv" =>
  name.toLowerCase().endsWith(".csv") ? "csv" : "ndjson"

export const ImportPage = () => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const registry = useRegistry()
  const [file, setFile] = useState<File | null>(null)
  const [format, setFormat] = useState<"ndjson" | "csv">("ndjson")
  const [template, setTemplate] = useState("")
  const run = useMutation({
    mutationFn: (f: File) => upload(f, format, template),
    // Imported actions show in feeds and on the dashboard.
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.actions.pathKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.customers.pathKey() }),
      ]),
  })
  const r = run.data

  return (
    <div className="page">
      <PageHeader
        title="Import actions"
        sub="Upload historical actions as NDJSON (record inputs or lines of an actions export) or CSV. Importing the same file again records nothing new."
      />
      <Card title="File">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault()
            if (file) run.mutate(file)
          }}
        >
          <div className="form-row">
            <Field label="File (.ndjson or .csv)">
              {(id) => (
                <input
                  id={id}
                  className="input"
                  type="file"
                  accept=".ndjson,.jsonl,.json,.csv,text/csv,application/x-ndjson"
                  onChange={(e) => {
                    const f = e.target.files?.[0] ?? null
                    setFile(f)
                    if (f) setFormat(formatOf(f.name))
                    run.reset()
                  }}
                />
              )}
            </Field>
            <Field label="Format">
              {(id) => (
                <select
                  id={id}
                  className="input"
                  value={format}
                  onChange={(e) => setFormat(e.target.value === "csv" ? "csv" : "ndjson")}
                >
                  <option value="ndjson">NDJSON</option>
                  <option value="csv">CSV</option>
                </select>
              )}
            </Field>
            <Field label="Template" hint="For CSV files without a template column">
              {(id) => (
                <select
                  id={id}
                  className="input"
                  value={template}
                  onChange={(e) => setTemplate(e.target.value)}
                >
                  <option value="">From the file</option>
                  <TemplateOptions templates={registry.templates} />
                </select>
              )}
            </Field>
          </div>
          <div className="toolbar">
            <button type="submit" className="btn btn-primary" disabled={!file || run.isPending}>
              {run.isPending ? "Importing…" : "Import"}
            </button>
          </div>
        </form>
      </Card>
      {run.error ? <ErrorBox error={run.error} title="Import failed" /> : null}
      {r ? (
        <Card title="Result" testId="import-result">
          <dl className="dl">
            <dt>Lines</dt>
            <dd data-testid="import-lines">{r.lines}</dd>
            <dt>Recorded</dt>
            <dd data-testid="import-recorded">{r.recorded}</dd>
            <dt>Already imported</dt>
            <dd>{r.alreadyProcessed}</dd>
            <dt>Rejected</dt>
            <dd data-testid="import-rejected">
              {r.rejected > 0 ? <Badge tone="danger">{r.rejected}</Badge> : r.rejected}
            </dd>
            {r.resumedFrom > 0 ? (
              <>
                <dt>Resumed from line</dt>
                <dd>{r.resumedFrom}</dd>
              </>
            ) : null}
            <dt>File hash</dt>
            <dd className="mono small">{r.fileHash}</dd>
          </dl>
        </Card>
      ) : null}
      {r && r.rejectedLines.length > 0 ? (
        <Card
          title={`Rejected lines${r.rejected > r.rejectedLines.length ? ` (first ${r.rejectedLines.length})` : ""}`}
          body={false}
          testId="import-rejected-lines"
        >
          <table className="table">
            <thead>
              <tr>
                <th>Line</th>
                <th>Error</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {r.rejectedLines.map((l) => (
                <tr key={l.line}>
                  <td className="mono">{l.line}</td>
                  <td>
                    <span className="tag">{l.tag}</span>
                  </td>
                  <td>
                    {l.message}
                    {l.path ? <span className="muted small"> (field {l.path})</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}
    </div>
  )
}
