import react from "@vitejs/plugin-react"
import { defineConfig } from "vite"

// In dev, the API runs separately (`pnpm --filter @actionlog/server start`, port 3000 by
// default); Vite proxies tRPC to it so cookies stay same-origin.
const apiTarget = process.env.ACTIONLOG_API ?? "http://localhost:3000"

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/trpc": { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // One ~500 kB chunk (React, TanStack Query, and Effect via @actionlog/domain) is fine for
    // an internal admin app served from the same host; no need for route splitting yet.
    chunkSizeWarningLimit: 800,
  },
})
