export { startHranaServer, type HranaServer, type HranaServerOptions } from "./HranaServer"
