export * from "./dockerContainerSpec.ts"
export * from "./dockerDriver.ts"
