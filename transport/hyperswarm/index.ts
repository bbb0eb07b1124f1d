export * as HyperswarmTransport from "./hyperswarmTransport.ts"
export * from "./hyperswarmInfo.ts"
export * from "./hyperswarm.errors.ts"
export * from "./keyPair.ts"
