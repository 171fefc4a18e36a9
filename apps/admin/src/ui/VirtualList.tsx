/**
 * A windowed list with per-item fixed heights (day headers and action rows differ), so a feed
 * of thousands of actions renders only the ~30 rows in view. Heights are known up front, so
 * offsets are a prefix sum and the visible range a binary search — no measuring.
 */
import {
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react"

export interface VirtualListProps<T> {
  readonly items: ReadonlyArray<T>
  readonly itemHeight: (item: T) => number
  readonly itemKey: (item: T, index: number) => string
  readonly renderItem: (item: T, index: number) => ReactNode
  /** Called when the user scrolls within `endThreshold` px of the end. */
  readonly onEndReached?: () => void
  readonly endThreshold?: number
  readonly overscan?: number
  /** Fixed height; when absent the list fills the viewport below its top edge. */
  readonly height?: number
  readonly minHeight?: number
  readonly footer?: ReactNode
  readonly footerHeight?: number
  readonly label?: string
  readonly testId?: string
}

const lowerBound = (offsets: ReadonlyArray<number>, value: number): number => {
  let lo = 0
  let hi = offsets.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (offsets[mid]! <= value) lo = mid
    else hi = mid - 1
  }
  return lo
}

export function VirtualList<T>(props: VirtualListProps<T>) {
  const {
    items,
    itemHeight,
    itemKey,
    renderItem,
    onEndReached,
    endThreshold = 800,
    overscan = 6,
    footer,
    footerHeight = 56,
    minHeight = 360,
  } = props
  const ref = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [fitted, setFitted] = useState(600)
  const viewport = props.height ?? fitted

  const offsets = useMemo(() => {
    const out = Array.from<number>({ length: items.length + 1 })
    out[0] = 0
    for (let i = 0; i < items.length; i++) out[i + 1] = out[i]! + itemHeight(items[i]!)
    return out
  }, [items, itemHeight])
  const contentHeight = offsets[items.length]! + (footer ? footerHeight : 0)

  // Fill the window below the list's top edge, so the page itself does not scroll.
  useLayoutEffect(() => {
    if (props.height !== undefined) return
    const fit = () => {
      const el = ref.current
      if (!el) return
      const top = el.getBoundingClientRect().top + window.scrollY
      setFitted(Math.max(minHeight, window.innerHeight - top - 24))
    }
    // Measured after layout, once; then on resize.
    requestAnimationFrame(fit)
    window.addEventListener("resize", fit)
    return () => window.removeEventListener("resize", fit)
  }, [props.height, minHeight])

  const frame = useRef(0)
  const onScroll = useCallback(() => {
    if (frame.current) return
    frame.current = requestAnimationFrame(() => {
      frame.current = 0
      if (ref.current) setScrollTop(ref.current.scrollTop)
    })
  }, [])
  useEffect(() => () => cancelAnimationFrame(frame.current), [])

  // Ask for more when near the end — also when the first page does not fill the viewport.
  // `onEndReached` changes identity when a fetch ends, which re-checks after each page.
  const nearEnd = scrollTop + viewport >= contentHeight - endThreshold
  useEffect(() => {
    if (nearEnd) onEndReached?.()
  }, [nearEnd, onEndReached])

  const first = Math.max(0, lowerBound(offsets, scrollTop) - overscan)
  const last = Math.min(items.length, lowerBound(offsets, scrollTop + viewport) + 1 + overscan)

  // Arrow keys move focus between rows (virtualised rows may not be in the DOM yet, so scroll
  // the target into range first and focus it on the next frame).
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp" && e.key !== "j" && e.key !== "k") return
    const target = e.target as HTMLElement
    if (target.tagName === "INPUT" || target.tagName === "SELECT") return
    const el = ref.current
    if (!el) return
    const current = target.closest<HTMLElement>("[data-index]")
    const from = current ? Number(current.dataset.index) : -1
    const step = e.key === "ArrowDown" || e.key === "j" ? 1 : -1
    let next = from + step
    // Skip rows that are not focusable (day headers).
    while (next >= 0 && next < items.length && itemHeight(items[next]!) < 48) next += step
    if (next < 0 || next >= items.length) return
    e.preventDefault()
    const top = offsets[next]!
    const bottom = offsets[next + 1]!
    if (top < el.scrollTop + 40) el.scrollTop = Math.max(0, top - 40)
    else if (bottom > el.scrollTop + viewport) el.scrollTop = bottom - viewport
    setScrollTop(el.scrollTop)
    requestAnimationFrame(() =>
      el.querySelector<HTMLElement>(`[data-index="${next}"] [data-focus-target]`)?.focus(),
    )
  }

  const rows: ReactNode[] = []
  for (let i = first; i < last; i++) {
    const item = items[i]!
    rows.push(
      <div
        key={itemKey(item, i)}
        className="vrow"
        data-index={i}
        style={{ top: offsets[i], height: offsets[i + 1]! - offsets[i]! }}
      >
        {renderItem(item, i)}
      </div>,
    )
  }

  return (
    <div
      ref={ref}
      className="vlist"
      style={{ height: viewport }}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
      role="list"
      aria-label={props.label}
      data-testid={props.testId}
      data-count={items.length}
    >
      <div className="vlist-inner" style={{ height: contentHeight }}>
        {rows}
        {footer ? (
          <div className="vrow" style={{ top: offsets[items.length], height: footerHeight }}>
            {footer}
          </div>
        ) : null}
      </div>
    </div>
  )
}
