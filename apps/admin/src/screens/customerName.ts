/** A customer's display name: personal name, else the first identifier, else the id. */
export interface NamedCustomer {
  readonly id: string
  readonly personal: {
    readonly firstName?: string | undefined
    readonly middleName?: string | undefined
    readonly lastName?: string | undefined
  }
  readonly identifiers: ReadonlyArray<{ readonly kind: string; readonly value: string }>
}

export const customerName = (c: NamedCustomer): string => {
  const name = [c.personal.firstName, c.personal.lastName].filter(Boolean).join(" ")
  if (name) return name
  const first = c.identifiers[0]
  return first ? first.value : c.id
}
