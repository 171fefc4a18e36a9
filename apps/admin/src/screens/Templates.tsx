import { useState } from "react"
import { Template } from "@actionlog/domain"
import { useCan } from "../auth"
import { templateFilterQuery } from "../feed/filterUrl"
import { useRegistry } from "../registry"
import { Link, navigate } from "../router"
import { Badge, Card, CategoryBadge, Empty, ErrorBox, Loading, PageHeader } from "../ui/common"

export const TemplatesPage = () => {
  const registry = useRegistry()
  const can = useCan()
  const [q, setQ] = useState("")
  const [kind, setKind] = useState<"all" | "builtIn" | "custom">("all")
  const [tag, setTag] = useState("")
  const needle = q.trim().toLowerCase()
  const allTags = [...new Set(registry.templates.flatMap((t) => t.tags))].sort()
  const visible = registry.templates.filter(
    (t) =>
      (kind === "all" || (kind === "builtIn") === t.builtIn) &&
      (!tag || t.tags.includes(tag)) &&
      (!needle ||
        t.displayName.toLowerCase().includes(needle) ||
        t.systemName.toLowerCase().includes(needle) ||
        t.description.toLowerCase().includes(needle)),
  )

  return (
    <div className="page">
      <PageHeader
        title="Templates"
        sub="What can happen to a customer. Personal templates are the customer's own doing; system templates are done for them."
        actions={
          can("templates.manage") ? (
            <Link to="/templates/new" className="btn btn-primary">
              New template
            </Link>
          ) : null
        }
      />
      <div className="toolbar">
        <input
          className="input"
          style={{ width: 260 }}
          placeholder="Search templates…"
          aria-label="Search templates"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <select
          className="select"
          style={{ width: 150 }}
          aria-label="Built-in or custom"
          value={kind}
          onChange={(e) => setKind(e.target.value as typeof kind)}
        >
          <option value="all">All templates</option>
          <option value="builtIn">Built-in</option>
          <option value="custom">Custom</option>
        </select>
        <select
          className="select"
          style={{ width: 150 }}
          aria-label="Tag"
          value={tag}
          onChange={(e) => setTag(e.target.value)}
        >
          <option value="">Any tag</option>
          {allTags.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </div>
      {registry.error ? <ErrorBox error={registry.error} /> : null}
      {!registry.ready && !registry.error ? <Loading /> : null}
      {registry.ready && visible.length === 0 ? <Empty title="No templates match" /> : null}
      {Template.categories.map((c) => {
        const list = visible
          .filter((t) => t.category === c)
          .sort(
            (a, b) =>
              Number(a.builtIn) - Number(b.builtIn) || a.displayName.localeCompare(b.displayName),
          )
        if (list.length === 0) return null
        return (
          <Card
            key={c}
            testId={`templates-${c}`}
            title={
              <>
                {c === "personal" ? "Personal" : "System"}{" "}
                <span className="muted">· {list.length}</span>
              </>
            }
            body={false}
          >
            <table className="table">
              <thead>
                <tr>
                  <th style={{ width: "32%" }}>Template</th>
                  <th>Description</th>
                  <th>Tags</th>
                  <th>Fields</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.map((t) => (
                  <tr
                    key={t.systemName}
                    className="clickable"
                    onClick={() => navigate(`/templates/${encodeURIComponent(t.systemName)}`)}
                  >
                    <td>
                      <Link
                        to={`/templates/${encodeURIComponent(t.systemName)}`}
                        style={{ fontWeight: 600 }}
                      >
                        {t.displayName}
                      </Link>{" "}
                      <CategoryBadge category={t.category} />{" "}
                      {t.builtIn ? null : <Badge tone="outline">custom</Badge>}
                      <div className="mono small muted">{t.systemName}</div>
                    </td>
                    <td className="small">{t.description || <span className="muted">—</span>}</td>
                    <td>
                      <div className="badges">
                        {t.tags.map((x) => (
                          <Badge key={x}>{x}</Badge>
                        ))}
                      </div>
                    </td>
                    <td className="small num">{t.customFields.length || ""}</td>
                    <td className="num nowrap" onClick={(e) => e.stopPropagation()}>
                      {can("actions.view") ? (
                        <Link
                          className="small"
                          to={`/actions?${templateFilterQuery(t.systemName)}`}
                        >
                          Actions →
                        </Link>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )
      })}
    </div>
  )
}
