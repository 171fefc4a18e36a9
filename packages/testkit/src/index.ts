export {
  startHranaServer,
  startHranaServerSync,
  type HranaServer,
  type HranaServerOptions,
} from "./HranaServer"
export {
  remoteLane,
  testDatabase,
  type TestDatabase,
  type TestDatabaseOptions,
} from "./testDatabase"
