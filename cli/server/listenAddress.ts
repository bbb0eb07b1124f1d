import { Data, Either } from "effect"

export class BadListenAddress extends Data.TaggedError("BadListenAddress")<{ readonly value: string }> {
  override get message() {
    return `--listen ${JSON.stringify(this.value)} is not HOST:PORT (for example 127.0.0.1:3000)`
  }
}

/** `HOST:PORT`, with an IPv6 host in brackets; port 0 asks the OS for a free one. */
export const parseListen = (value: string): Either.Either<{ host: string; port: number }, BadListenAddress> => {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(value)
  const port = Number(match?.[2])
  if (!match?.[1] || !Number.isInteger(port) || port > 65535) return Either.left(new BadListenAddress({ value }))
  return Either.right({ host: match[1].replace(/^\[|\]$/g, ""), port })
}
