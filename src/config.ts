/**
 * Configuration, resolved completely in one place: the settings table (settings.ts)
 * read from environment variables and mirrored flags, validated, defaults and derived
 * values filled in from the facts the caller read about this machine, times in ms,
 * frozen. Pure: it reads no environment, clock or file itself.
 * @module
 */
import { parseArgs } from "node:util";
import type { AlertRule } from "./protocol/alerts.ts";
import type { DeviceMode } from "./protocol/device_modes.ts";
import { fitShuntRange, type ShuntRangeMv } from "./hardware/ina219_shunt.ts";
import type { SerialBaud } from "./hardware/serial_baud.ts";
import { flagName, type Parsed, type Setting, SETTINGS } from "./settings.ts";
import { type ChannelConfig, ChannelConfigError } from "./channels.ts";
import { type GlobalTexts, legacyChannel, parseChannels } from "./channels_parse.ts";
import { fileSettingTexts, parseJsonc } from "./config_file.ts";

/** What the edge of the program read about this machine, for the defaults that depend on it. */
export interface ConfigFacts {
  /** `Deno.hostname()`, or `null` when it could not be read. */
  readonly hostname: string | null;
  /** Reads CONFIG_FILE (`Deno.readTextFileSync`); absent = a CONFIG_FILE is refused. */
  readonly readTextFile?: (path: string) => string;
}

/** No facts: the defaults that depend on the machine use fixed names. */
export const NO_FACTS: ConfigFacts = Object.freeze({ hostname: null });

/**
 * The resolved configuration of one monitor: every value present (`null` where a
 * setting is off or unset), every duration in ms, deeply frozen.
 */
export interface Config {
  /** TCP port to serve on; 0 = a free one. */
  readonly port: number;
  /** Address to bind. */
  readonly host: string;

  /** The JSON(C) file settings were read from; `null` = none. */
  readonly configFile: string | null;
  /**
   * Every channel, in configuration order, at least one; the first is the one the v1
   * protocol describes. Without CHANNELS: one, `main`, from SENSOR and the settings below.
   */
  readonly channels: readonly ChannelConfig[];

  /** Where samples come from (the `main` channel's sensor without CHANNELS). */
  readonly sensor: "mock" | "ina219" | "serial";
  /** Time between samples. */
  readonly sampleIntervalMs: number;
  /** The mock's initial mode. */
  readonly mockMode: DeviceMode;
  /** The mock's demo rotation period; 0 = off. */
  readonly mockAutoRotateMs: number;
  /** Seed of the mock's random stream; `null` = random. */
  readonly mockSeed: number | null;
  /** INA219: `/dev/i2c-N`, or the in-process emulated chip. */
  readonly i2cBus: number | "emulated";
  /** `I2C_BUS=emulated`: the emulated bus clock in kHz. */
  readonly i2cEmulatedKhz: 100 | 400;
  /** INA219: 7-bit address, 0x40–0x4F. */
  readonly i2cAddress: number;
  /** INA219: shunt resistance in Ω. */
  readonly shuntOhms: number;
  /** INA219: largest current expected, in A. */
  readonly maxCurrentA: number;
  /** INA219: bus voltage full scale. */
  readonly busVoltageRange: 16 | 32;
  /** INA219: samples averaged per conversion. */
  readonly adcSamples: number;
  /** INA219: shunt full scale, fitted to shuntOhms × maxCurrentA unless set; or automatic. */
  readonly shuntRangeMv: ShuntRangeMv | "auto";
  /** Serial: the device's port. */
  readonly serialPort: string;
  /** Serial: the sketch's baud rate. */
  readonly serialBaud: SerialBaud;

  /** Folder for the database, created at start. */
  readonly dataDir: string;
  /** SQLite file (`:memory:` in tests). */
  readonly dbPath: string;
  /** How long raw samples and the fine rollups are kept. */
  readonly rawRetentionMs: number;
  /** How long the per-minute rollups are kept. */
  readonly rollupRetentionMs: number;
  /** How often queued samples are written. */
  readonly flushIntervalMs: number;
  /** Samples held while the database refuses writes. */
  readonly dbMaxQueue: number;
  /** RECORDINGS_MAX_MB in bytes: the recordings' disk budget. */
  readonly recordingsMaxBytes: number;

  /** Bearer token for changes and bulk reads; `null` = open. */
  readonly apiToken: string | null;
  /** Whether reads need the token too (not the pages, `/status`, `/ws`). */
  readonly readTokenRequired: boolean;
  /** Extra Host names (`*` = any). */
  readonly allowedHosts: readonly string[];
  /** Extra browser origins (`*` = any, `null` = pages opened from disk). */
  readonly allowedOrigins: readonly string[];

  /** Alert rules to apply and save; `null` = the saved ones, else the defaults. */
  readonly alertRules: readonly Readonly<AlertRule>[] | null;

  /** Heartbeat status message period; 0 = off. */
  readonly statusIntervalMs: number;
  /** A client with more unsent bytes is skipped. */
  readonly wsMaxBufferedBytes: number;
  /** A client skipped this long is closed. */
  readonly wsStuckCloseMs: number;
  /** Most WebSocket clients at once. */
  readonly wsMaxClients: number;
  /** Most WebSocket clients at once from one IP address. */
  readonly wsMaxClientsPerAddress: number;

  /** Most open TCP connections at once (the front refuses more with 503). */
  readonly httpMaxConns: number;
  /** Most open TCP connections at once from one IP address (then 429). */
  readonly httpMaxConnsPerAddress: number;
  /** New connections per second from one IP address, bursts of twice as many (then 429). */
  readonly httpConnectRatePerAddress: number;
  /** Time a new connection has to send its first request head (then 408). */
  readonly httpHeaderTimeoutMs: number;
  /** A keep-alive connection (not a WebSocket) without traffic this long is closed. */
  readonly httpIdleTimeoutMs: number;
  /** A connection whose client leaves one write pending this long is dropped. */
  readonly httpSendTimeoutMs: number;

  /** Whether `/metrics` is served. */
  readonly metricsEnabled: boolean;
  /** Name in MQTT topics and Home Assistant: DEVICE_ID, else `ina219-<hostname>`. */
  readonly deviceId: string;
  /** Broker URL; `null` = no MQTT. */
  readonly mqttUrl: string | null;
  /** Broker user name; `null` = none. */
  readonly mqttUsername: string | null;
  /** Broker password; `null` = none. */
  readonly mqttPassword: string | null;
  /** MQTT_TOPIC_PREFIX, else `ina219/<deviceId>`. */
  readonly mqttTopicPrefix: string;
  /** Home Assistant discovery prefix. */
  readonly mqttDiscoveryPrefix: string;
  /** State publishing period. */
  readonly mqttIntervalMs: number;

  /** Webhooks alert transitions are pushed to; empty = none. */
  readonly notifyWebhookUrls: readonly string[];
  /** HMAC-SHA256 key of the webhooks' `X-Signature`; `null` = unsigned. */
  readonly notifyWebhookSecret: string | null;
  /** The ntfy topic URL; `null` = none. */
  readonly notifyNtfyUrl: string | null;
  /** The ntfy access token; `null` = none. */
  readonly notifyNtfyToken: string | null;
  /** Transitions of one rule pushed per window at most; the rest become a summary. */
  readonly notifyRuleLimit: number;
  /** The window of `notifyRuleLimit`. */
  readonly notifyRuleWindowMs: number;
}

/** Thrown for a bad setting; its message is one line meant for a person. */
export class ConfigError extends Error {
  /** `"ConfigError"`. */
  override name = "ConfigError";
}

/** Thrown by {@link loadConfig} when `--help` was asked for; message is the help. */
export class HelpRequested extends Error {
  /** `"HelpRequested"`. */
  override name = "HelpRequested";
}

/** The `--help` text: every setting with its flag, variable and default. */
export function helpText(): string {
  const plain = (s: string) => s.replaceAll("`", "");
  const lines = [
    "ina219-monitor: real-time INA219 power monitor",
    "",
    "Usage: ina219-monitor [--flag value ...]",
    "Every flag mirrors an environment variable; a flag wins over the variable.",
    "",
  ];
  for (const s of Object.values(SETTINGS) as Setting[]) {
    const shown = s.defaultText === undefined
      ? "unset"
      : s.defaultText === ""
      ? "empty"
      : plain(s.defaultText);
    lines.push(
      `  --${flagName(s.env)} <value>  (${s.env}, default: ${shown})`,
      `      ${plain(s.help)}`,
    );
  }
  lines.push("  --help  show this text");
  return lines.join("\n");
}

/**
 * The default device id from this machine's name: `ina219-<hostname>` in letters,
 * digits, - and _ (`ina219-monitor` when the name is unknown).
 */
export function defaultDeviceId(hostname: string | null): string {
  const host = hostname?.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "");
  return `ina219-${host || "monitor"}`.slice(0, 64);
}

/**
 * Builds the configuration from environment variables and command-line flags; `facts`
 * are what the caller read about this machine (its host name names the device).
 *
 * @example
 * ```ts
 * const config = loadConfig(Deno.env.toObject(), Deno.args, { hostname: Deno.hostname() });
 * ```
 * @throws {ConfigError} naming the setting and what it allows.
 * @throws {HelpRequested} when `--help` is among the arguments.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[],
  facts: ConfigFacts = NO_FACTS,
): Config {
  const { parsed, globals, sources } = parse(env, args, facts);
  if (parsed.readTokenRequired && parsed.apiToken === undefined) {
    throw new ConfigError("Invalid READ_TOKEN_REQUIRED true: it needs API_TOKEN to be set");
  }
  if (parsed.notifyWebhookSecret !== undefined && parsed.notifyWebhookUrls === undefined) {
    throw new ConfigError("Invalid NOTIFY_WEBHOOK_SECRET: it needs NOTIFY_WEBHOOK_URLS to be set");
  }
  if (parsed.notifyNtfyToken !== undefined && parsed.notifyNtfyUrl === undefined) {
    throw new ConfigError("Invalid NOTIFY_NTFY_TOKEN: it needs NOTIFY_NTFY_URL to be set");
  }
  const deviceId = parsed.deviceId ?? defaultDeviceId(facts.hostname);
  // Checked even when SHUNT_RANGE_MV is set: the calibration needs the current to fit.
  const fittedRange = fittedShuntRange(parsed);
  const config: Config = {
    port: parsed.port,
    host: parsed.host,
    configFile: parsed.configFile ?? null,
    channels: resolveChannels(parsed, globals, sources.channels),
    sensor: parsed.sensor,
    sampleIntervalMs: parsed.sampleIntervalMs,
    mockMode: parsed.mockMode,
    mockAutoRotateMs: parsed.mockAutoRotateS * 1000,
    mockSeed: parsed.mockSeed ?? null,
    i2cBus: parsed.i2cBus,
    i2cEmulatedKhz: parsed.i2cEmulatedKhz,
    i2cAddress: parsed.i2cAddress,
    shuntOhms: parsed.shuntOhms,
    maxCurrentA: parsed.maxCurrentA,
    busVoltageRange: parsed.busVoltageRange,
    adcSamples: parsed.adcSamples,
    shuntRangeMv: parsed.shuntRangeMv ?? fittedRange,
    serialPort: parsed.serialPort,
    serialBaud: parsed.serialBaud,
    dataDir: parsed.dataDir,
    dbPath: parsed.dbPath ?? joinPath(parsed.dataDir, "ina219.db"),
    rawRetentionMs: parsed.retentionHours * 3_600_000,
    rollupRetentionMs: parsed.rollupRetentionDays * 86_400_000,
    flushIntervalMs: parsed.flushIntervalMs,
    dbMaxQueue: parsed.dbMaxQueue,
    recordingsMaxBytes: parsed.recordingsMaxMb * 1024 * 1024,
    apiToken: parsed.apiToken ?? null,
    readTokenRequired: parsed.readTokenRequired,
    allowedHosts: parsed.allowedHosts,
    allowedOrigins: parsed.allowedOrigins,
    alertRules: parsed.alertRules ?? null,
    statusIntervalMs: parsed.statusIntervalS * 1000,
    wsMaxBufferedBytes: parsed.wsMaxBufferedBytes,
    wsStuckCloseMs: parsed.wsStuckCloseS * 1000,
    wsMaxClients: parsed.wsMaxClients,
    wsMaxClientsPerAddress: parsed.wsMaxClientsPerAddress,
    httpMaxConns: parsed.httpMaxConns,
    httpMaxConnsPerAddress: parsed.httpMaxConnsPerAddress,
    httpConnectRatePerAddress: parsed.httpConnectRatePerAddress,
    httpHeaderTimeoutMs: parsed.httpHeaderTimeoutMs,
    httpIdleTimeoutMs: parsed.httpIdleTimeoutMs,
    // Past the hub's 1013 close, so the hub's policy acts first and the front only drops the rest.
    httpSendTimeoutMs: parsed.httpSendTimeoutMs ?? parsed.wsStuckCloseS * 1000 + 5000,
    metricsEnabled: parsed.metricsEnabled,
    deviceId,
    mqttUrl: parsed.mqttUrl ?? null,
    mqttUsername: parsed.mqttUsername ?? null,
    mqttPassword: parsed.mqttPassword ?? null,
    mqttTopicPrefix: parsed.mqttTopicPrefix ?? `ina219/${deviceId}`,
    mqttDiscoveryPrefix: parsed.mqttDiscoveryPrefix,
    mqttIntervalMs: parsed.mqttIntervalS * 1000,
    notifyWebhookUrls: parsed.notifyWebhookUrls ?? [],
    notifyWebhookSecret: parsed.notifyWebhookSecret ?? null,
    notifyNtfyUrl: parsed.notifyNtfyUrl ?? null,
    notifyNtfyToken: parsed.notifyNtfyToken ?? null,
    notifyRuleLimit: parsed.notifyRuleLimit,
    notifyRuleWindowMs: parsed.notifyRuleWindowS * 1000,
  };
  return deepFreeze(config);
}

/** What {@link parse} found: the values, their texts for the channels, where each came from. */
interface Found {
  /** Validated values; derived and unset ones `undefined`. */
  parsed: Parsed;
  /** Each setting's text and origin, for the channels' fallbacks. */
  globals: GlobalTexts;
  /** How an error names each setting's origin: `PORT`, `--port`, `CONFIG_FILE "f": port`. */
  sources: Record<string, string>;
}

/** Flags, variables and CONFIG_FILE → validated values; derived and unset ones stay `undefined`. */
function parse(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[],
  facts: ConfigFacts,
): Found {
  const options: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
  };
  for (const s of Object.values(SETTINGS) as Setting[]) {
    options[flagName(s.env)] = { type: "string" };
  }
  let flags: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args: [...args], options, strict: true, tokens: true });
    // Strict mode refuses a positional after `--`, but not a bare `--`.
    if (parsed.tokens.some((token) => token.kind === "option-terminator")) {
      throw new Error(`Unexpected argument '--': this command takes no positional arguments`);
    }
    flags = parsed.values;
  } catch (error) {
    throw new ConfigError(
      `Invalid command line: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  if (flags.help) throw new HelpRequested(helpText());

  const given = (s: Setting): { raw: string; source: string } | undefined => {
    const flag = flags[flagName(s.env)];
    if (typeof flag === "string" && flag !== "") {
      return { raw: flag, source: `--${flagName(s.env)}` };
    }
    const variable = env[s.env];
    if (variable !== undefined && variable !== "") return { raw: variable, source: s.env };
  };
  const configFile = given(SETTINGS.configFile);
  const file = configFile === undefined ? new Map<string, string>() : readConfigFile(
    configFile.raw.trim(),
    facts,
  );
  const fileName = `CONFIG_FILE "${configFile?.raw.trim()}"`;

  const out: Record<string, unknown> = {};
  const globals: Record<string, { text: string; source: string }> = {};
  const sources: Record<string, string> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [string, Setting][]) {
    const name = s.env.toLowerCase();
    const fromFile = file.get(name);
    const found = given(s) ??
      (fromFile !== undefined && fromFile !== ""
        ? { raw: fromFile, source: `${fileName}: ${name}` }
        : undefined) ??
      (s.derived || s.defaultText === undefined
        ? undefined
        : { raw: s.defaultText, source: "the default" });
    if (found === undefined) continue;
    const { raw: value, source } = found;
    sources[key] = source;
    globals[key] = {
      text: value,
      source: source.startsWith("CONFIG_FILE") ? `${name} in CONFIG_FILE` : source,
    };
    const result = s.schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue.path.length ? ` at ${issue.path.join(".")}` : "";
      const shown = s.secret ? "" : ` "${value}"`;
      throw new ConfigError(`Invalid ${source}${shown}${where}: ${issue.message}`);
    }
    out[key] = result.data;
  }
  return { parsed: out as Parsed, globals: globals as GlobalTexts, sources };
}

/** CONFIG_FILE's settings as the texts their variables would hold, by lower-case name. */
function readConfigFile(path: string, facts: ConfigFacts): Map<string, string> {
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid CONFIG_FILE "${path}": ${message}`);
  };
  if (facts.readTextFile === undefined) fail("this program was started without file access");
  let text = "";
  try {
    text = facts.readTextFile!(path);
  } catch (error) {
    fail(`cannot read it: ${(error as Error).message.split("\n")[0]}`);
  }
  try {
    const names = new Set(
      (Object.values(SETTINGS) as Setting[]).filter((s) => s !== SETTINGS.configFile).map((s) =>
        s.env.toLowerCase()
      ),
    );
    return fileSettingTexts(parseJsonc(text), names);
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** CHANNELS (flag, variable or file), else the `main` channel from the global settings. */
function resolveChannels(
  parsed: Parsed,
  globals: GlobalTexts,
  source: string | undefined,
): readonly ChannelConfig[] {
  try {
    if (parsed.channels === undefined) return [legacyChannel(parsed.sensor, globals)];
    return parseChannels(parseJsonc(parsed.channels), globals);
  } catch (error) {
    if (!(error instanceof ChannelConfigError || error instanceof SyntaxError)) throw error;
    const what = error instanceof SyntaxError ? `must be JSON: ${error.message}` : error.message;
    // Without CHANNELS the globals were checked already; this names the channel anyway.
    throw new ConfigError(`Invalid ${source ?? "SENSOR"}: ${what}`);
  }
}

/**
 * The finest shunt range holding SHUNT_OHMS × MAX_CURRENT_A. Only the INA219 uses it, so
 * only the INA219 refuses settings beyond 320 mV; the other sensors get the widest range.
 * Within the bounds of SHUNT_OHMS and MAX_CURRENT_A, a current that fits a range always
 * has a calibration (§8.5.1); the driver checks that again when it starts.
 */
function fittedShuntRange(parsed: Parsed): ShuntRangeMv {
  try {
    return fitShuntRange(parsed.shuntOhms * parsed.maxCurrentA);
  } catch (error) {
    if (parsed.sensor !== "ina219") return 320;
    throw new ConfigError(
      `Invalid SHUNT_OHMS ${parsed.shuntOhms} with MAX_CURRENT_A ${parsed.maxCurrentA}: ${
        (error as Error).message
      }`,
    );
  }
}

function joinPath(dir: string, file: string): string {
  return dir.endsWith("/") ? dir + file : `${dir}/${file}`;
}

/** Freezes `value` and everything it holds. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
