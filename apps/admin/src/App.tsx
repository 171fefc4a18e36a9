import { QueryClientProvider, useQuery, useQueryClient } from "@tanstack/react-query"
import { lazy, type ReactNode, Suspense, useEffect, useState } from "react"
import { type Me, MeProvider, type Permission, useCan, useMe } from "./auth"
import { Link, Routes, useLocation, type Route } from "./router"
import { DashboardPage } from "./screens/Dashboard"
import { SignInPage, SignOutButton } from "./screens/SignIn"
import { makeQueryClient, makeTRPCClient, onUnauthorized, TRPCProvider, useTRPC } from "./trpc"
import { type IconName, Icon } from "./ui/Icon"
import { Empty, ErrorBox, Forbidden, isUnauthorized, Loading } from "./ui/common"

// Every screen but the dashboard is its own chunk, loaded when its route is first opened.
const ActionDetailPage = lazy(() =>
  import("./screens/ActionDetail").then((m) => ({ default: m.ActionDetailPage })),
)
const ActionsPage = lazy(() =>
  import("./screens/Actions").then((m) => ({ default: m.ActionsPage })),
)
const ApiKeysPage = lazy(() =>
  import("./screens/ApiKeys").then((m) => ({ default: m.ApiKeysPage })),
)
const AssignActionPage = lazy(() =>
  import("./screens/AssignAction").then((m) => ({ default: m.AssignActionPage })),
)
const AuditPage = lazy(() => import("./screens/Audit").then((m) => ({ default: m.AuditPage })))
const BrandsPage = lazy(() => import("./screens/Brands").then((m) => ({ default: m.BrandsPage })))
const CustomerPage = lazy(() =>
  import("./screens/Customer").then((m) => ({ default: m.CustomerPage })),
)
const CustomersPage = lazy(() =>
  import("./screens/Customers").then((m) => ({ default: m.CustomersPage })),
)
const ExportPage = lazy(() => import("./screens/Export").then((m) => ({ default: m.ExportPage })))
const ImportPage = lazy(() => import("./screens/Import").then((m) => ({ default: m.ImportPage })))
const RolesPage = lazy(() => import("./screens/Roles").then((m) => ({ default: m.RolesPage })))
const SegmentsPage = lazy(() =>
  import("./screens/Segments").then((m) => ({ default: m.SegmentsPage })),
)
const StaffPage = lazy(() => import("./screens/Staff").then((m) => ({ default: m.StaffPage })))
const TemplateEditPage = lazy(() =>
  import("./screens/TemplateEdit").then((m) => ({ default: m.TemplateEditPage })),
)
const TemplatesPage = lazy(() =>
  import("./screens/Templates").then((m) => ({ default: m.TemplatesPage })),
)
const TouchpointsPage = lazy(() =>
  import("./screens/Touchpoints").then((m) => ({ default: m.TouchpointsPage })),
)
const WebhooksPage = lazy(() =>
  import("./screens/Webhooks").then((m) => ({ default: m.WebhooksPage })),
)
const WebhookPage = lazy(() =>
  import("./screens/Webhooks").then((m) => ({ default: m.WebhookPage })),
)

export const App = () => {
  const [queryClient] = useState(makeQueryClient)
  const [trpcClient] = useState(makeTRPCClient)
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <Session />
      </TRPCProvider>
    </QueryClientProvider>
  )
}

/** Asks the server who we are; shows sign-in when nobody, the app otherwise. */
const Session = () => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000, retry: false }))

  // Any other call answering UNAUTHORIZED (the session expired or was revoked) re-asks `me`,
  // which then fails too and shows sign-in. `me` itself is skipped: that would loop.
  useEffect(() => {
    const meKey = JSON.stringify(trpc.auth.me.queryKey())
    return onUnauthorized((key) => {
      if (key !== undefined && JSON.stringify(key) === meKey) return
      // Signed out already (e.g. a wrong password at sign-in): nothing to re-ask.
      if (queryClient.getQueryData(trpc.auth.me.queryKey()) === undefined) return
      void queryClient.invalidateQueries(trpc.auth.me.queryFilter())
    })
  }, [queryClient, trpc])

  if (me.isPending) return <Loading label="Starting…" />
  if (me.error && !isUnauthorized(me.error))
    return (
      <div className="signin">
        <ErrorBox error={me.error} title="The server could not be reached" />
      </div>
    )
  // After an expiry `me` keeps its old data next to the UNAUTHORIZED error: the error wins.
  const user = me.data && !(me.error && isUnauthorized(me.error)) ? toMe(me.data) : null
  if (!user) return <SignInPage />
  return (
    <MeProvider me={user}>
      <Shell />
    </MeProvider>
  )
}

const toMe = (data: unknown): Me | null => {
  if (!data || typeof data !== "object") return null
  const d = data as Partial<Me> & { kind?: string }
  if (d.kind !== undefined && d.kind !== "staff") return null
  if (typeof d.id !== "string" || typeof d.email !== "string") return null
  return {
    id: d.id,
    email: d.email,
    name: d.name ?? d.email,
    role: d.role ?? "",
    permissions: d.permissions ?? [],
  }
}

interface NavItem {
  readonly to: string
  readonly label: string
  readonly icon: IconName
  readonly permission?: Permission
}

const mainNav: ReadonlyArray<NavItem> = [
  { to: "/", label: "Dashboard", icon: "dashboard" },
  { to: "/customers", label: "Customers", icon: "customers" },
  { to: "/actions", label: "Actions", icon: "actions", permission: "actions.view" },
  { to: "/segments", label: "Segments", icon: "segments", permission: "actions.view" },
  { to: "/import", label: "Import", icon: "upload", permission: "actions.add" },
  { to: "/export", label: "Export", icon: "export", permission: "export" },
]
const configNav: ReadonlyArray<NavItem> = [
  { to: "/templates", label: "Templates", icon: "templates" },
  { to: "/touchpoints", label: "Touchpoints", icon: "touchpoints" },
  { to: "/brands", label: "Brands & settings", icon: "brands" },
]
const adminNav: ReadonlyArray<NavItem> = [
  { to: "/staff", label: "Staff", icon: "staff", permission: "staff.manage" },
  { to: "/roles", label: "Roles", icon: "roles", permission: "staff.manage" },
  { to: "/api-keys", label: "API keys", icon: "keys", permission: "apiKeys.manage" },
  { to: "/webhooks", label: "Webhooks", icon: "webhooks", permission: "webhooks.manage" },
  { to: "/audit", label: "Audit log", icon: "audit", permission: "audit.view" },
]

const NavLinks = ({ items }: { readonly items: ReadonlyArray<NavItem> }) => {
  const { pathname } = useLocation()
  const can = useCan()
  return (
    <>
      {items
        .filter((i) => !i.permission || can(i.permission))
        .map((i) => {
          const active = i.to === "/" ? pathname === "/" : pathname.startsWith(i.to)
          return (
            <Link
              key={i.to}
              to={i.to}
              className="nav-link"
              aria-current={active ? "page" : undefined}
            >
              <Icon name={i.icon} />
              {i.label}
            </Link>
          )
        })}
    </>
  )
}

/**
 * Skips the navigation (and, on a feed, its filters): focuses the first action of the feed
 * when the page has one, else the main area.
 */
const skipToContent = (e: React.MouseEvent) => {
  e.preventDefault()
  const row = document.querySelector<HTMLElement>("[data-testid=action-row]")
  const target = row ?? document.getElementById("main")
  target?.focus()
}

const Shell = () => {
  const me = useMe()
  const can = useCan()
  const { pathname } = useLocation()
  // The phone menu is open on the page it was opened on: choosing a page closes it.
  const [openOn, setOpenOn] = useState<string | null>(null)
  const navOpen = openOn === pathname
  const showAdmin = adminNav.some((i) => !i.permission || can(i.permission))
  return (
    <div className="app">
      <a href="#main" className="skip-link" onClick={skipToContent}>
        Skip to content
      </a>
      <nav className={`sidebar${navOpen ? " nav-open" : ""}`} aria-label="Main">
        <div className="sidebar-top">
          <Link to="/" className="logo">
            <span className="logo-mark" aria-hidden>
              ≡
            </span>
            actionlog
          </Link>
          <button
            type="button"
            className="btn btn-sm menu-button"
            aria-expanded={navOpen}
            aria-controls="main-nav"
            onClick={() => setOpenOn(navOpen ? null : pathname)}
          >
            {navOpen ? "Close menu" : "Menu"}
          </button>
        </div>
        <div className="nav-items" id="main-nav">
          <NavLinks items={mainNav} />
          <div className="nav-section">Configuration</div>
          <NavLinks items={configNav} />
          {showAdmin ? (
            <>
              <div className="nav-section">Administration</div>
              <NavLinks items={adminNav} />
            </>
          ) : null}
          <div className="sidebar-footer">
            <div>
              <div style={{ fontWeight: 600 }} data-testid="me-name">
                {me.name}
              </div>
              <div className="small muted">
                {me.email} · {me.role}
              </div>
            </div>
            <SignOutButton />
          </div>
        </div>
      </nav>
      <main className="main" id="main" tabIndex={-1}>
        <Suspense fallback={<Loading label="Loading…" />}>
          <Routes routes={routes} fallback={<NotFound />} />
        </Suspense>
      </main>
    </div>
  )
}

const Guard = ({
  permission,
  what,
  children,
}: {
  readonly permission: Permission
  readonly what: string
  readonly children: ReactNode
}) => {
  const can = useCan()
  return can(permission) ? <>{children}</> : <Forbidden what={what} />
}

const routes: ReadonlyArray<Route> = [
  { path: "/", render: () => <DashboardPage /> },
  { path: "/customers", render: () => <CustomersPage /> },
  { path: "/customers/:id", render: (p) => <CustomerPage id={p.id!} /> },
  {
    path: "/customers/:id/assign",
    render: (p) => (
      <Guard permission="actions.add" what="add actions">
        <AssignActionPage customerId={p.id!} />
      </Guard>
    ),
  },
  {
    path: "/actions",
    render: () => (
      <Guard permission="actions.view" what="view actions">
        <ActionsPage />
      </Guard>
    ),
  },
  {
    path: "/actions/:id",
    render: (p) => (
      <Guard permission="actions.view" what="view actions">
        <ActionDetailPage id={p.id!} />
      </Guard>
    ),
  },
  {
    path: "/export",
    render: () => (
      <Guard permission="export" what="export actions">
        <ExportPage />
      </Guard>
    ),
  },
  {
    path: "/segments",
    render: () => (
      <Guard permission="actions.view" what="view actions">
        <SegmentsPage />
      </Guard>
    ),
  },
  {
    path: "/import",
    render: () => (
      <Guard permission="actions.add" what="import actions">
        <ImportPage />
      </Guard>
    ),
  },
  { path: "/templates", render: () => <TemplatesPage /> },
  {
    path: "/templates/new",
    render: () => (
      <Guard permission="templates.manage" what="manage templates">
        <TemplateEditPage />
      </Guard>
    ),
  },
  { path: "/templates/:name", render: (p) => <TemplateEditPage name={p.name!} /> },
  { path: "/touchpoints", render: () => <TouchpointsPage /> },
  { path: "/brands", render: () => <BrandsPage /> },
  {
    path: "/staff",
    render: () => (
      <Guard permission="staff.manage" what="manage staff">
        <StaffPage />
      </Guard>
    ),
  },
  {
    path: "/roles",
    render: () => (
      <Guard permission="staff.manage" what="manage roles">
        <RolesPage />
      </Guard>
    ),
  },
  {
    path: "/api-keys",
    render: () => (
      <Guard permission="apiKeys.manage" what="manage API keys">
        <ApiKeysPage />
      </Guard>
    ),
  },
  {
    path: "/webhooks",
    render: () => (
      <Guard permission="webhooks.manage" what="manage webhooks">
        <WebhooksPage />
      </Guard>
    ),
  },
  {
    path: "/webhooks/:id",
    render: (p) => (
      <Guard permission="webhooks.manage" what="manage webhooks">
        <WebhookPage id={p.id!} />
      </Guard>
    ),
  },
  {
    path: "/audit",
    render: () => (
      <Guard permission="audit.view" what="read the audit log">
        <AuditPage />
      </Guard>
    ),
  },
]

const NotFound = () => (
  <div className="page">
    <Empty title="Page not found">
      <Link to="/">Back to the dashboard</Link>
    </Empty>
  </div>
)
