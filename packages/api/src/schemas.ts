import { Effect, Schema } from "effect"

/** Effect schemas as tRPC validators (Standard Schema v1). */
export const input = <S extends Schema.ConstraintDecoder<unknown>>(schema: S) =>
  Schema.toStandardSchemaV1(schema)

export const Email = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { expected: "an email address" }),
    Schema.isMaxLength(254),
  ),
)

export const Name = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200)))

export const Password = Schema.String.pipe(
  Schema.check(Schema.isMinLength(8), Schema.isMaxLength(200)),
)

export const Id = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200)))

export const Limit = (max: number, fallback: number) =>
  Schema.Int.pipe(
    Schema.check(Schema.isBetween({ minimum: 1, maximum: max })),
    Schema.withDecodingDefault(Effect.succeed(fallback)),
  )
