/** A few 16px stroke icons (inline SVG: no icon font, no missing glyphs). */
const paths: Record<string, string> = {
  dashboard: "M2.5 2.5h4.5v5.5H2.5zM9 2.5h4.5v3H9zM9 7.5h4.5v6H9zM2.5 10h4.5v3.5H2.5z",
  customers: "M8 7.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM3 13.5c.6-2.6 2.6-4 5-4s4.4 1.4 5 4",
  actions: "M2.5 4h11M2.5 8h11M2.5 12h7",
  templates: "M3 2.5h10v11H3zM5.5 5.5h5M5.5 8h5M5.5 10.5h3",
  touchpoints:
    "M8 14s4.5-4.2 4.5-7.5a4.5 4.5 0 0 0-9 0C3.5 9.8 8 14 8 14zM8 8a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z",
  brands: "M8 2l5.5 3v6L8 14l-5.5-3V5zM8 2v12M2.5 5L8 8l5.5-3",
  staff:
    "M6 7a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM2 13c.4-2.2 1.8-3.5 4-3.5s3.6 1.3 4 3.5M11 7a1.7 1.7 0 1 0 0-3.4M12 9.6c1.2.4 1.9 1.6 2.1 3.4",
  roles: "M8 2l5 2v4c0 3-2.2 5.2-5 6-2.8-.8-5-3-5-6V4zM6 8l1.5 1.5L10.5 6.5",
  keys: "M10 9.5a3.5 3.5 0 1 0-3.3-2.3L2.5 11.4v2.1h2.1l.6-.6v-1.4h1.4l1-1M10.5 5.5h.01",
  segments: "M2.5 3.5h11l-4 5v4.5l-3 1V8.5z",
  export: "M8 2.5v8M5 7.5l3 3 3-3M3 12.5v1h10v-1",
  upload: "M8 10.5v-8M5 5.5l3-3 3 3M3 12.5v1h10v-1",
  webhooks: "M5 11a2.5 2.5 0 1 1 2-4l2-3.5M11 11.5a2.5 2.5 0 1 1-1.5-4.3L7.5 11h5",
  audit: "M4 2.5h6l2.5 2.5v8.5H4zM6 7h4.5M6 9.5h4.5M6 12h2.5",
}

export type IconName = keyof typeof paths

export const Icon = ({ name }: { readonly name: IconName }) => (
  <svg
    width="16"
    height="16"
    viewBox="0 0 16 16"
    fill="none"
    stroke="currentColor"
    strokeWidth="1.4"
    strokeLinecap="round"
    strokeLinejoin="round"
    aria-hidden
  >
    <path d={paths[name]} />
  </svg>
)
