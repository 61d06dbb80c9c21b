// @ts-check
/**
 * @module Types the dashboard shares, for JSDoc only (no code: no page loads this file).
 * Wire types come from the server's protocol in src/protocol/, the one source of truth,
 * so `deno task check` fails when the dashboard reads a field the server does not send.
 */

/** @typedef {import("../src/protocol/common.ts").Metric} Metric */
/** @typedef {import("../src/protocol/common.ts").Severity} Severity */
/** @typedef {import("../src/protocol/ws.ts").MeasurementData} MeasurementData */
/** @typedef {import("../src/protocol/ws.ts").StatusMessage} StatusMessage */
/** @typedef {import("../src/protocol/status.ts").StatusResponse} StatusResponse */
/** @typedef {import("../src/protocol/analysis.ts").StatisticsData} StatisticsData */
/** @typedef {import("../src/protocol/alerts.ts").AlertData} AlertData */
/** @typedef {import("../src/protocol/alerts.ts").ActiveAlert} ActiveAlert */
/** @typedef {import("../src/protocol/alerts.ts").AlertRule} AlertRule */
/** @typedef {import("../src/protocol/alerts.ts").AlertMetric} AlertMetric */
/** @typedef {import("../src/protocol/history.ts").HistoryBucket} HistoryBucket */
/** @typedef {import("../src/protocol/messages.ts").ServerMessage} ServerMessage */
/** @typedef {import("zod").output<typeof import("../src/protocol/history.ts").HistoryResponse>} HistoryResponse */
/** @typedef {import("zod").output<typeof import("../src/protocol/history.ts").MeasurementsResponse>} MeasurementsResponse */
/** @typedef {import("zod").output<typeof import("../src/protocol/analysis.ts").EnergyResetResponse>} EnergyResetResponse */
/** @typedef {import("zod").output<typeof import("../src/protocol/simulator.ts").StartResponse>} StartResponse */
/** @typedef {import("zod").output<typeof import("../src/protocol/simulator.ts").StopResponse>} StopResponse */
/** @typedef {import("zod").output<typeof import("../src/protocol/simulator.ts").ModeResponse>} ModeResponse */
/** @typedef {import("zod").output<typeof import("../src/protocol/simulator.ts").IntervalResponse>} IntervalResponse */

/** @typedef {import("../src/protocol/ws.ts").MeasurementsData} MeasurementsData */
/** @typedef {import("../src/protocol/channels.ts").ChannelInfo} ChannelInfo */

/** Normal, warning or danger: how a value stands against its alert rule. */
/** @typedef {"normal" | Severity} Level */

export {};
