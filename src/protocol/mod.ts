/**
 * The v1 protocol and the REST bodies around it, as plain zod schemas with their
 * types: the single source of every wire type. HTTP-only metadata (component names)
 * is added in `src/http/openapi_schemas.ts`.
 * @module
 */
export * from "./common.ts";
export * from "./ws.ts";
export * from "./messages.ts";
export * from "./status.ts";
export * from "./simulator.ts";
export * from "./history.ts";
export * from "./database.ts";
export * from "./analysis.ts";
export * from "./alerts.ts";
