export * from "./spaceStreams.errors.ts"
export * from "./spaceStreams.ts"
export * from "./streamRequest.ts"
