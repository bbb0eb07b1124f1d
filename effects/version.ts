/** knot's version, as package.json states it; the CLI, the API and its OpenAPI document say this one. */
export const knotVersion = "0.1.0"
