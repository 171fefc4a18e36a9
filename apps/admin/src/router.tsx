/**
 * A tiny router on the History API: the app needs path params, search params kept in the URL
 * (shareable filtered views) and client-side links — not nested layouts or loaders.
 */
import {
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
  useCallback,
  useMemo,
  useSyncExternalStore,
} from "react"

const listeners = new Set<() => void>()
const notify = () => {
  for (const l of listeners) l()
}
if (typeof window !== "undefined") window.addEventListener("popstate", notify)

const subscribe = (l: () => void) => {
  listeners.add(l)
  return () => listeners.delete(l)
}
const snapshot = () => window.location.pathname + window.location.search

export interface NavigateOptions {
  readonly replace?: boolean
  /** Keep the window's scroll position (an overlay such as the action drawer). */
  readonly keepScroll?: boolean
}

export const navigate = (to: string, options: NavigateOptions = {}): void => {
  if (to === snapshot()) return
  if (options.replace) window.history.replaceState(null, "", to)
  else window.history.pushState(null, "", to)
  notify()
  // A new page (not a search-param tweak or an overlay) starts at the top.
  if (!options.replace && !options.keepScroll) window.scrollTo(0, 0)
}

export interface Location {
  readonly pathname: string
  readonly search: URLSearchParams
  readonly href: string
}

export const useLocation = (): Location => {
  const href = useSyncExternalStore(subscribe, snapshot, snapshot)
  return useMemo(() => {
    const url = new URL(href, "http://x")
    return { pathname: url.pathname, search: url.searchParams, href }
  }, [href])
}

/** Search params of the current URL and a setter that keeps the path (replace by default). */
export const useSearchParams = (): readonly [
  URLSearchParams,
  (next: URLSearchParams, options?: NavigateOptions) => void,
] => {
  const { pathname, search } = useLocation()
  const set = useCallback(
    (next: URLSearchParams, options: NavigateOptions = { replace: true }) => {
      const qs = next.toString()
      navigate(qs ? `${pathname}?${qs}` : pathname, options)
    },
    [pathname],
  )
  return [search, set] as const
}

/** Matches `/customers/:id` against a path; params are URI-decoded. */
export const matchPath = (pattern: string, pathname: string): Record<string, string> | null => {
  const p = pattern.split("/").filter(Boolean)
  const s = pathname.split("/").filter(Boolean)
  if (p.length !== s.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!
    const seg = s[i]!
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(seg)
    else if (part !== seg) return null
  }
  return params
}

export interface Route {
  readonly path: string
  readonly render: (params: Record<string, string>) => ReactNode
}

export const Routes = ({
  routes,
  fallback,
}: {
  readonly routes: ReadonlyArray<Route>
  readonly fallback: ReactNode
}) => {
  const { pathname } = useLocation()
  for (const route of routes) {
    const params = matchPath(route.path, pathname)
    if (params) return <>{route.render(params)}</>
  }
  return <>{fallback}</>
}

const isPlainClick = (e: MouseEvent) =>
  e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey && !e.defaultPrevented

export type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & {
  readonly to: string
  readonly replace?: boolean
  readonly keepScroll?: boolean
}

/** An ordinary anchor (so middle-click and copy-link work) that navigates in-app. */
export const Link = ({ to, replace, keepScroll, onClick, ...rest }: LinkProps) => (
  <a
    {...rest}
    href={to}
    onClick={(e) => {
      onClick?.(e)
      if (!isPlainClick(e) || rest.target) return
      e.preventDefault()
      navigate(to, { ...(replace ? { replace } : {}), ...(keepScroll ? { keepScroll } : {}) })
    }}
  />
)

/** `path` with `params` as its query string (empty values dropped). */
export const withQuery = (path: string, params: URLSearchParams): string => {
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}
