/** Small shared UI parts: loading and error states, badges, page header, modal, fields. */
import { type ReactNode, useEffect, useId, useRef } from "react"

/** What a failed call tells the user: the server's message, its stable tag and field path. */
export interface ErrorInfo {
  readonly message: string
  readonly tag?: string
  readonly path?: string
}

export const errorInfo = (err: unknown): ErrorInfo => {
  if (err && typeof err === "object") {
    const e = err as { message?: unknown; data?: { tag?: unknown; fieldPath?: unknown } | null }
    const message = typeof e.message === "string" && e.message ? e.message : "Something went wrong"
    const tag = typeof e.data?.tag === "string" ? e.data.tag : undefined
    // `data.fieldPath` is the API's path of the offending input field (see packages/api errors).
    const rawPath = e.data?.fieldPath
    const path =
      typeof rawPath === "string"
        ? rawPath
        : Array.isArray(rawPath)
          ? rawPath.map(String).join(".") || undefined
          : undefined
    return { message, ...(tag ? { tag } : {}), ...(path ? { path } : {}) }
  }
  return { message: String(err) }
}

/** Whether an error is the server refusing the caller's role. */
export const isForbidden = (err: unknown): boolean =>
  (err as { data?: { code?: unknown } } | null)?.data?.code === "FORBIDDEN"

/** Whether an error is the server saying "not signed in". */
export const isUnauthorized = (err: unknown): boolean => {
  const code = (err as { data?: { code?: unknown } } | null)?.data?.code
  return code === "UNAUTHORIZED"
}

export const ErrorBox = ({
  error,
  title,
}: {
  readonly error: unknown
  readonly title?: string
}) => {
  const info = errorInfo(error)
  // A refusal of the role is not a failure: say what is missing, calmly.
  if (isForbidden(error))
    return (
      <div className="alert alert-info" role="status">
        Not available for your role: {info.message}
      </div>
    )
  return (
    <div className="alert alert-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {info.message}
      {info.path ? <> (field {info.path})</> : null}
      {info.tag ? <div className="tag">{info.tag}</div> : null}
    </div>
  )
}

export const Loading = ({ label = "Loading…" }: { readonly label?: string }) => (
  <div className="loading" role="status" aria-live="polite">
    <span className="spinner" aria-hidden /> {label}
  </div>
)

export const Empty = ({
  title,
  children,
}: {
  readonly title: string
  readonly children?: ReactNode
}) => (
  <div className="empty">
    <h3>{title}</h3>
    {children ? <div>{children}</div> : null}
  </div>
)

export const Badge = ({
  children,
  tone,
  title,
}: {
  readonly children: ReactNode
  readonly tone?: "personal" | "system" | "accent" | "danger" | "ok" | "warn" | "outline"
  readonly title?: string
}) => (
  <span className={tone ? `badge badge-${tone}` : "badge"} title={title}>
    {children}
  </span>
)

export const CategoryBadge = ({ category }: { readonly category: string }) => (
  <Badge
    tone={category === "personal" ? "personal" : "system"}
    title={
      category === "personal"
        ? "Personal: performed by the customer"
        : "System: done for the customer"
    }
  >
    {category}
  </Badge>
)

export const PageHeader = ({
  title,
  sub,
  crumbs,
  actions,
}: {
  readonly title: ReactNode
  readonly sub?: ReactNode
  readonly crumbs?: ReactNode
  readonly actions?: ReactNode
}) => (
  <header className="page-header">
    <div>
      {crumbs ? <div className="breadcrumbs">{crumbs}</div> : null}
      <h1>{title}</h1>
      {sub ? <p className="sub">{sub}</p> : null}
    </div>
    {actions ? <div className="toolbar">{actions}</div> : null}
  </header>
)

export const Card = ({
  title,
  actions,
  children,
  body = true,
  testId,
}: {
  readonly title?: ReactNode
  readonly actions?: ReactNode
  readonly children: ReactNode
  readonly body?: boolean
  readonly testId?: string
}) => (
  <section className="card" data-testid={testId}>
    {title ? (
      <div className="card-header">
        <h3>{title}</h3>
        {actions ? <div className="toolbar">{actions}</div> : null}
      </div>
    ) : null}
    {body ? <div className="card-body">{children}</div> : children}
  </section>
)

export const Field = ({
  label,
  hint,
  error,
  children,
}: {
  readonly label: ReactNode
  readonly hint?: ReactNode
  readonly error?: string | undefined
  readonly children: (id: string) => ReactNode
}) => {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {error ? <span className="error-text">{error}</span> : null}
      {hint ? <span className="hint">{hint}</span> : null}
    </div>
  )
}

/** The Cancel / submit row at the bottom of a dialog's form. */
export const FormActions = ({
  onCancel,
  submitLabel,
  disabled,
  danger = false,
}: {
  readonly onCancel: () => void
  readonly submitLabel: ReactNode
  /** While the mutation runs, or while the form cannot be submitted yet. */
  readonly disabled: boolean
  /** The submit button destroys something (a confirmation dialog's "Delete"). */
  readonly danger?: boolean
}) => (
  <div className="form-actions">
    <button type="button" className="btn" onClick={onCancel}>
      Cancel
    </button>
    <button
      type="submit"
      className={danger ? "btn btn-danger" : "btn btn-primary"}
      disabled={disabled}
    >
      {submitLabel}
    </button>
  </div>
)

/** A set of checkboxes choosing a subset of `options` (scopes of a key, permissions of a role). */
export const CheckboxGroup = <T extends string>({
  legend,
  options,
  selected,
  onChange,
  code = false,
}: {
  readonly legend: string
  readonly options: ReadonlyArray<readonly [value: T, help: string]>
  readonly selected: ReadonlyArray<T>
  readonly onChange: (selected: ReadonlyArray<T>) => void
  /** Show the values as code (permission names) rather than bold words (scopes). */
  readonly code?: boolean
}) => (
  <fieldset className="field" style={{ border: 0, padding: 0, margin: 0 }}>
    <legend className="field-label">{legend}</legend>
    {options.map(([value, help]) => (
      <label key={value} className="checkbox">
        <input
          type="checkbox"
          checked={selected.includes(value)}
          onChange={(e) =>
            onChange(e.target.checked ? [...selected, value] : selected.filter((x) => x !== value))
          }
        />
        {code ? <span className="mono small">{value}</span> : <strong>{value}</strong>}{" "}
        <span className="muted small">— {help}</span>
      </label>
    ))}
  </fieldset>
)

/** A dialog that closes on Escape and backdrop click and keeps focus inside while open. */
export const Modal = ({
  title,
  onClose,
  children,
}: {
  readonly title: ReactNode
  readonly onClose: () => void
  readonly children: ReactNode
}) => {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose()
    }
    window.addEventListener("keydown", onKey)
    ref.current?.querySelector<HTMLElement>("input, select, textarea, button")?.focus()
    return () => window.removeEventListener("keydown", onKey)
  }, [onClose])
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={String(title)} ref={ref}>
        <div className="card-header">
          <h3>{title}</h3>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={onClose}
            aria-label="Close"
          >
            ✕
          </button>
        </div>
        <div className="card-body">{children}</div>
      </div>
    </div>
  )
}

export const Forbidden = ({ what }: { readonly what: string }) => (
  <div className="page">
    <Empty title="Not available for your role">
      Your role does not include the permission to {what}. Ask an administrator if you need it.
    </Empty>
  </div>
)

/** `<option>`s for every template, "Display name (SystemName)", for a template `<select>`. */
export const TemplateOptions = ({
  templates,
}: {
  readonly templates: ReadonlyArray<{ readonly systemName: string; readonly displayName: string }>
}) =>
  templates.map((t) => (
    <option key={t.systemName} value={t.systemName}>
      {t.displayName} ({t.systemName})
    </option>
  ))
