import react from "@vitejs/plugin-react"
import { defineConfig } from "vite"

// In dev, the API runs separately (`pnpm --filter @actionlog/server start`, port 3000 by
// default); Vite proxies the API (tRPC, the upload and export endpoints) to it so cookies stay
// same-origin.
const apiTarget = process.env.ACTIONLOG_API ?? "http://localhost:3000"

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/trpc": { target: apiTarget, changeOrigin: false },
      "/api": { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The bundle's source would be public at /assets/*.map; the server refuses maps anyway.
    sourcemap: false,
    // The shared chunk (React, TanStack Query, and Effect via @actionlog/domain) is ~500 kB;
    // every screen but the dashboard is split into its own chunk (App.tsx).
    chunkSizeWarningLimit: 800,
  },
})
