/** A small stacked bar chart in SVG (no chart library): one bar per bucket, one colour per series. */
import { useState } from "react"
import { formatDate, formatNumber } from "../format"

export interface Series {
  readonly key: string
  readonly label: string
  readonly counts: ReadonlyArray<number>
}

const palette = [
  "#4f46e5",
  "#0f766e",
  "#d97706",
  "#db2777",
  "#0284c7",
  "#65a30d",
  "#7c3aed",
  "#94a3b8",
]

export const StackedBars = ({
  buckets,
  series,
  height = 180,
}: {
  readonly buckets: ReadonlyArray<number>
  readonly series: ReadonlyArray<Series>
  readonly height?: number
}) => {
  const [hover, setHover] = useState<number | null>(null)
  const totals = buckets.map((_, i) => series.reduce((sum, s) => sum + (s.counts[i] ?? 0), 0))
  const max = Math.max(1, ...totals)
  const width = 720
  const gap = 2
  const barW = Math.max(2, width / Math.max(1, buckets.length) - gap)
  const shown = hover ?? buckets.length - 1
  return (
    <div>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        height={height}
        preserveAspectRatio="none"
        role="img"
        aria-label="Actions per day"
        onMouseLeave={() => setHover(null)}
      >
        {buckets.map((b, i) => {
          let y = height
          return (
            <g key={b} onMouseEnter={() => setHover(i)}>
              <rect
                x={i * (barW + gap)}
                y={0}
                width={barW + gap}
                height={height}
                fill="transparent"
              />
              {series.map((s, k) => {
                const h = ((s.counts[i] ?? 0) / max) * (height - 4)
                y -= h
                return h > 0 ? (
                  <rect
                    key={s.key}
                    x={i * (barW + gap)}
                    y={y}
                    width={barW}
                    height={h}
                    fill={palette[k % palette.length]}
                    opacity={hover === null || hover === i ? 1 : 0.45}
                  />
                ) : null
              })}
            </g>
          )
        })}
      </svg>
      <div className="small muted" style={{ display: "flex", justifyContent: "space-between" }}>
        <span>{buckets[0] !== undefined ? formatDate(buckets[0]) : ""}</span>
        <span>
          {buckets[shown] !== undefined ? (
            <>
              <strong>{formatDate(buckets[shown])}</strong>: {formatNumber(totals[shown] ?? 0)}{" "}
              actions
            </>
          ) : null}
        </span>
        <span>{buckets.length > 0 ? formatDate(buckets[buckets.length - 1]!) : ""}</span>
      </div>
      <div className="badges" style={{ marginTop: 8 }}>
        {series.map((s, k) => (
          <span key={s.key} className="badge badge-outline">
            <span
              aria-hidden
              style={{
                width: 8,
                height: 8,
                borderRadius: 2,
                background: palette[k % palette.length],
              }}
            />
            {s.label}
            {shown !== null ? (
              <span className="muted">{formatNumber(s.counts[shown] ?? 0)}</span>
            ) : null}
          </span>
        ))}
      </div>
    </div>
  )
}
