/** Small helpers to read columns of untyped rows without `any`. */
import type { Row } from "../Database"

export const str = (row: Row, col: string): string => {
  const v = row[col]
  return typeof v === "string" ? v : String(v ?? "")
}

export const optStr = (row: Row, col: string): string | undefined => {
  const v = row[col]
  return v === null || v === undefined ? undefined : String(v)
}

export const num = (row: Row, col: string): number => {
  const v = row[col]
  return typeof v === "number" ? v : Number(v ?? 0)
}

export const json = <A>(row: Row, col: string): A => JSON.parse(str(row, col)) as A
