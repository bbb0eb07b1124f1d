/** A zone: a named group of nodes (`[server] zone = "us-east"`) that templates may require. */
import { Schema } from "effect"
import { Slug } from "./fields.ts"

export const Zone = Schema.Struct({
  name: Slug("a zone name")
})
export type Zone = typeof Zone.Type
