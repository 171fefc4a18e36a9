import { StrictMode } from "react"
import { createRoot } from "react-dom/client"
import { App } from "./App"
// oxlint-disable-next-line import/no-unassigned-import -- the stylesheet is a side effect
import "./styles.css"

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
