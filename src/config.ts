/**
 * Configuration: one table of settings, read from environment variables with
 * mirrored command-line flags, validated with zod into one frozen {@link Config}.
 * @module
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { canonicalHost } from "./http/host_guard.ts";
import { AlertRules } from "./protocol/alerts.ts";
import { calibrate, pgaFor } from "./sources/ina219_registers.ts";
import { MODES } from "./sources/mock.ts";
import { BAUD_RATES } from "./sources/serial_port.ts";

/** One setting: its environment name, flag, default and how it is validated. */
interface Setting {
  env: string;
  help: string;
  /** Shown in `--help`; `undefined` means "unset". */
  defaultText?: string;
  /** The default is computed from other settings; `defaultText` only describes it. */
  derived?: true;
  /** A credential: an error names the setting but never shows the value. */
  secret?: true;
  schema: z.ZodType;
}

const int = (min: number, max: number) =>
  z.string().trim().regex(/^-?\d+$/, `must be an integer from ${min} to ${max}`)
    .transform(Number).pipe(
      z.number().min(min, `must be an integer from ${min} to ${max}`).max(
        max,
        `must be an integer from ${min} to ${max}`,
      ),
    );

const decimal = (what: string, max: number) =>
  z.string().trim().regex(/^\d+(\.\d+)?$/, `must be ${what}`).transform(Number).pipe(
    z.number().gt(0, `must be ${what}`).max(max, `must be ${what}`),
  );

const choice = <T extends string>(values: readonly T[]) =>
  z.enum(values as [T, ...T[]], { error: `must be one of: ${values.join(", ")}` });

/** What hono/bearer-auth accepts after `Bearer ` (RFC 6750 b64token). */
const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

const SETTINGS = {
  port: {
    env: "PORT",
    help: "TCP port of the HTTP/WebSocket server (0 picks a free one)",
    defaultText: "8000",
    schema: int(0, 65535),
  },
  host: {
    env: "HOST",
    help: "address to bind (127.0.0.1 keeps it on this machine)",
    defaultText: "0.0.0.0",
    schema: z.string().trim().min(1, "must not be empty"),
  },
  sensor: {
    env: "SENSOR",
    help:
      "where samples come from: mock, ina219 (I2C on this machine) or serial (the v1 Arduino device)",
    defaultText: "mock",
    schema: choice(["mock", "ina219", "serial"] as const),
  },
  sampleIntervalMs: {
    env: "SAMPLE_INTERVAL_MS",
    help: "time between samples in ms",
    defaultText: "1000",
    schema: int(1, 10_000),
  },
  mockMode: {
    env: "MOCK_MODE",
    help: `initial mock mode (${MODES.join(", ")})`,
    defaultText: "NORMAL",
    schema: z.enum(MODES, { error: `must be one of: ${MODES.join(", ")}` }),
  },
  mockAutoRotateS: {
    env: "MOCK_AUTO_ROTATE_S",
    help: "rotate the mock's modes every N s, as the v1 mock did (0 = off)",
    defaultText: "30",
    schema: int(0, 86_400),
  },
  mockSeed: {
    env: "MOCK_SEED",
    help: "seed for a reproducible mock (unset = random)",
    schema: int(0, 4_294_967_295).optional(),
  },
  i2cBus: {
    env: "I2C_BUS",
    help: "INA219: the I2C adapter number, /dev/i2c-N (1 on a Raspberry Pi)",
    defaultText: "1",
    schema: int(0, 255),
  },
  i2cAddress: {
    env: "I2C_ADDRESS",
    help: "INA219: its address by A0/A1, 0x40 to 0x4F",
    defaultText: "0x40",
    schema: z.string().trim().regex(/^(0x[0-9a-f]{1,2}|\d{1,3})$/i, "must be 0x40 to 0x4F")
      .transform(Number).pipe(
        z.number().min(0x40, "must be 0x40 to 0x4F").max(0x4f, "must be 0x40 to 0x4F"),
      ),
  },
  shuntOhms: {
    env: "SHUNT_OHMS",
    help: "INA219: shunt resistance in ohms (0.1 on the common breakout boards)",
    defaultText: "0.1",
    schema: decimal("a resistance above 0 and up to 100 ohms", 100),
  },
  maxCurrentA: {
    env: "MAX_CURRENT_A",
    help: "INA219: the largest current expected; sets calibration and shunt range",
    defaultText: "3.2",
    schema: decimal("a current above 0 and up to 1000 A", 1000),
  },
  busVoltageRange: {
    env: "BUS_VOLTAGE_RANGE",
    help: "INA219: bus voltage full scale in V (16 or 32)",
    defaultText: "32",
    schema: choice(["16", "32"] as const).transform((s) => Number(s) as 16 | 32),
  },
  adcSamples: {
    env: "ADC_SAMPLES",
    help: "INA219: samples averaged per conversion (1 = single 12-bit; 128 takes 136 ms)",
    defaultText: "1",
    schema: choice(["1", "2", "4", "8", "16", "32", "64", "128"] as const).transform(Number),
  },
  shuntRangeMv: {
    env: "SHUNT_RANGE_MV",
    help: "INA219: shunt full scale (PGA): 40, 80, 160, 320 mV or auto",
    defaultText: "fitted to SHUNT_OHMS × MAX_CURRENT_A",
    derived: true,
    schema: choice(["40", "80", "160", "320", "auto"] as const).transform((s) =>
      s === "auto" ? s : Number(s) as 40 | 80 | 160 | 320
    ).optional(),
  },
  serialPort: {
    env: "SERIAL_PORT",
    help: "serial: the Arduino's port (a /dev/serial/by-id/ path survives replugging)",
    defaultText: "/dev/ttyACM0",
    schema: z.string().trim().min(1, "must not be empty"),
  },
  serialBaud: {
    env: "SERIAL_BAUD",
    help: "serial: baud rate of the Arduino's sketch",
    defaultText: "115200",
    schema: choice(Object.keys(BAUD_RATES)).transform(Number),
  },
  dataDir: {
    env: "DATA_DIR",
    help: "folder for the database (created on start)",
    defaultText: "./data",
    schema: z.string().trim().min(1, "must not be empty"),
  },
  dbPath: {
    env: "DB_PATH",
    help: "SQLite database file",
    defaultText: "<DATA_DIR>/ina219.db",
    derived: true,
    schema: z.string().trim().min(1, "must not be empty").optional(),
  },
  retentionHours: {
    env: "RETENTION_HOURS",
    help: "keep raw samples (and per-second rollups) this many hours",
    defaultText: "48",
    schema: int(1, 8760),
  },
  rollupRetentionDays: {
    env: "ROLLUP_RETENTION_DAYS",
    help: "keep per-minute rollups this many days",
    defaultText: "30",
    schema: int(1, 3650),
  },
  flushIntervalMs: {
    env: "FLUSH_INTERVAL_MS",
    help: "write queued samples to the database this often (one transaction each)",
    defaultText: "1000",
    schema: int(50, 60_000),
  },
  dbMaxQueue: {
    env: "DB_MAX_QUEUE",
    help:
      "samples kept in memory while the database refuses writes (disk full); beyond it the oldest are dropped and counted",
    defaultText: "300000",
    schema: int(1000, 10_000_000),
  },
  apiToken: {
    env: "API_TOKEN",
    help:
      "bearer token required by every state-changing request and the bulk reads (unset = open); 8 or more of A-Z a-z 0-9 - . _ ~ + / and trailing =",
    secret: true,
    schema: z.string().min(8, "must be at least 8 characters").regex(
      BEARER_TOKEN,
      "must use only A-Z a-z 0-9 - . _ ~ + / (and = at the end), the characters of a bearer token",
    ).optional(),
  },
  readTokenRequired: {
    env: "READ_TOKEN_REQUIRED",
    help:
      "with API_TOKEN: require the token on every read too, except the pages, /status and /ws (true/false)",
    defaultText: "false",
    schema: z.enum(["true", "false"], { error: "must be true or false" }).transform((s) =>
      s === "true"
    ),
  },
  allowedHosts: {
    env: "ALLOWED_HOSTS",
    help:
      "extra names or addresses this server is reached by, comma-separated (* = any); loopback, this machine's names and addresses and HOST are always allowed",
    defaultText: "",
    schema: z.string().transform((s) => s.split(",").map((h) => h.trim()).filter(Boolean)).pipe(
      z.array(
        z.string().refine(
          (h) => h === "*" || canonicalHost(h) !== undefined,
          'must be "*" or host names or addresses without a port, like pi.example or 192.168.1.20',
        ),
      ),
    ),
  },
  allowedOrigins: {
    env: "ALLOWED_ORIGINS",
    help:
      "extra browser origins allowed to open /ws and send changes, comma-separated (* = any, null = pages opened from disk); the server's own origin is always allowed",
    defaultText: "",
    schema: z.string().transform((s) =>
      s.split(",").map((o) => o.trim().replace(/\/$/, "")).filter(Boolean)
    ).pipe(
      z.array(
        z.string().regex(
          /^(\*|null|https?:\/\/[^/\s]+)$/,
          'must be "*", "null" (pages opened from disk) or origins like http://host:port',
        ),
      ),
    ),
  },
  alertRules: {
    env: "ALERT_RULES",
    help:
      'alert rules as JSON, e.g. [{"metric":"a","warning_high":0.4,"danger_high":0.5,"hysteresis":0.02,"for_ms":1000}] (unset = last saved, else the 5 V rail defaults)',
    schema: z.string().transform((text, ctx) => {
      try {
        return JSON.parse(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `must be JSON (${(error as Error).message})` });
        return z.NEVER;
      }
    }).pipe(AlertRules).optional(),
  },
  statusIntervalS: {
    env: "STATUS_INTERVAL_S",
    help: "send a status message to every WebSocket client every N s (0 = off)",
    defaultText: "5",
    schema: int(0, 3600),
  },
  wsMaxBufferedBytes: {
    env: "WS_MAX_BUFFERED_BYTES",
    help:
      "a WebSocket client with more unsent bytes than this is skipped (and closed if it stays stuck)",
    defaultText: "1048576",
    schema: int(1024, 1 << 30),
  },
  wsStuckCloseS: {
    env: "WS_STUCK_CLOSE_S",
    help: "close a client that has been skipped for this long",
    defaultText: "10",
    schema: int(1, 3600),
  },
  wsMaxClients: {
    env: "WS_MAX_CLIENTS",
    help:
      "most WebSocket clients at once; more get 503 (a closed client counts until its connection is gone)",
    defaultText: "256",
    schema: int(1, 100_000),
  },
  wsMaxClientsPerAddress: {
    env: "WS_MAX_CLIENTS_PER_ADDRESS",
    help: "most WebSocket clients at once from one IP address; more get 429",
    defaultText: "32",
    schema: int(1, 100_000),
  },
  metricsEnabled: {
    env: "METRICS_ENABLED",
    help: "serve Prometheus metrics at /metrics (true/false)",
    defaultText: "true",
    schema: z.enum(["true", "false"], { error: "must be true or false" }).transform((s) =>
      s === "true"
    ),
  },
  deviceId: {
    env: "DEVICE_ID",
    help: "this monitor's name in MQTT topics and Home Assistant (letters, digits, - and _)",
    defaultText: "ina219-<hostname>",
    derived: true,
    schema: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, - or _")
      .optional(),
  },
  mqttUrl: {
    env: "MQTT_URL",
    help: "MQTT broker, mqtt://host:1883 or mqtts://host:8883 (unset = no MQTT)",
    schema: z.string().regex(
      /^mqtts?:\/\/[^\s/]+\/?$/,
      "must look like mqtt://host:1883 or mqtts://host:8883",
    )
      .optional(),
  },
  mqttUsername: {
    env: "MQTT_USERNAME",
    help: "MQTT user name",
    schema: z.string().optional(),
  },
  mqttPassword: {
    env: "MQTT_PASSWORD",
    help: "MQTT password",
    secret: true,
    schema: z.string().optional(),
  },
  mqttTopicPrefix: {
    env: "MQTT_TOPIC_PREFIX",
    help: "topics are <prefix>/state, <prefix>/alert, <prefix>/availability",
    defaultText: "ina219/<DEVICE_ID>",
    derived: true,
    schema: z.string().regex(
      /^[^#+\s]+[^/#+\s]$/,
      "must be a topic without wildcards or a trailing /",
    )
      .optional(),
  },
  mqttDiscoveryPrefix: {
    env: "MQTT_DISCOVERY_PREFIX",
    help: "Home Assistant discovery prefix",
    defaultText: "homeassistant",
    schema: z.string().regex(/^[^#+\s/]+$/, "must be one topic level"),
  },
  mqttIntervalS: {
    env: "MQTT_INTERVAL_S",
    help: "publish the state every N s (Home Assistant bogs down at 1 Hz)",
    defaultText: "10",
    schema: int(1, 3600),
  },
} satisfies Record<string, Setting>;

type Settings = typeof SETTINGS;
type Parsed = { [K in keyof Settings]: z.output<Settings[K]["schema"]> };

/** The resolved, fully-defaulted, frozen configuration of one monitor. */
export interface Config
  extends Readonly<Omit<Parsed, "dbPath" | "allowedOrigins" | "allowedHosts">> {
  readonly dbPath: string;
  readonly allowedOrigins: readonly string[];
  readonly allowedHosts: readonly string[];
}

/** Thrown for a bad setting; its message is one line meant for a person. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Thrown by {@link loadConfig} when `--help` was asked for; message is the help. */
export class HelpRequested extends Error {
  override name = "HelpRequested";
}

function flagName(env: string): string {
  return env.toLowerCase().replaceAll("_", "-");
}

/** The `--help` text: every setting with its flag, variable and default. */
export function helpText(): string {
  const lines = [
    "ina219-monitor: real-time INA219 power monitor",
    "",
    "Usage: ina219-monitor [--flag value ...]",
    "Every flag mirrors an environment variable; a flag wins over the variable.",
    "",
  ];
  for (const s of Object.values(SETTINGS) as Setting[]) {
    lines.push(
      `  --${flagName(s.env)} <value>  (${s.env}, default: ${
        s.defaultText === undefined ? "unset" : s.defaultText === "" ? "empty" : s.defaultText
      })`,
      `      ${s.help}`,
    );
  }
  lines.push("  --help  show this text");
  return lines.join("\n");
}

/**
 * Builds the configuration from environment variables and command-line flags.
 *
 * @example
 * ```ts
 * const config = loadConfig(Deno.env.toObject(), Deno.args);
 * ```
 * @throws {ConfigError} naming the setting and what it allows.
 * @throws {HelpRequested} when `--help` is among the arguments.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  args: readonly string[],
): Config {
  const options: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
  };
  for (const s of Object.values(SETTINGS) as Setting[]) {
    options[flagName(s.env)] = { type: "string" };
  }
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({ args: [...args], options, strict: true }).values;
  } catch (error) {
    throw new ConfigError(
      `Invalid command line: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  if (flags.help) throw new HelpRequested(helpText());

  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [string, Setting][]) {
    const flag = flags[flagName(s.env)];
    const raw = typeof flag === "string" ? flag : env[s.env];
    const unset = raw === undefined || raw === "";
    const value = unset ? (s.derived ? undefined : s.defaultText) : raw;
    const source = typeof flag === "string" ? `--${flagName(s.env)}` : s.env;
    if (value === undefined) {
      out[key] = undefined;
      continue;
    }
    const result = s.schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue.path.length ? ` at ${issue.path.join(".")}` : "";
      const shown = s.secret ? "" : ` "${value}"`;
      throw new ConfigError(`Invalid ${source}${shown}${where}: ${issue.message}`);
    }
    out[key] = result.data;
  }
  const parsed = out as Parsed;
  if (parsed.sensor === "ina219") checkShunt(parsed.shuntOhms, parsed.maxCurrentA);
  if (parsed.readTokenRequired && parsed.apiToken === undefined) {
    throw new ConfigError("Invalid READ_TOKEN_REQUIRED true: it needs API_TOKEN to be set");
  }
  const dbPath = parsed.dbPath ?? joinPath(parsed.dataDir, "ina219.db");
  return Object.freeze({
    ...parsed,
    dbPath,
    allowedOrigins: Object.freeze([...parsed.allowedOrigins]),
    allowedHosts: Object.freeze([...parsed.allowedHosts]),
  });
}

/** SHUNT_OHMS and MAX_CURRENT_A must make a calibration the INA219 can hold. */
function checkShunt(shuntOhms: number, maxCurrentA: number): void {
  try {
    pgaFor(shuntOhms * maxCurrentA);
    calibrate(shuntOhms, maxCurrentA);
  } catch (error) {
    throw new ConfigError(
      `Invalid SHUNT_OHMS ${shuntOhms} with MAX_CURRENT_A ${maxCurrentA}: ${
        (error as Error).message
      }`,
    );
  }
}

function joinPath(dir: string, file: string): string {
  return dir.endsWith("/") ? dir + file : `${dir}/${file}`;
}
