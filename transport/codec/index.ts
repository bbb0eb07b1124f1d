export * from "./frame.ts"
