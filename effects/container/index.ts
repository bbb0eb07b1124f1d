export * from "./containerDriver.errors.ts"
export * from "./containerDriver.ts"
export * from "./memoryDriver.ts"
