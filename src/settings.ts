/**
 * The settings table: every environment variable the monitor reads, with its flag,
 * default, validation and help text. `--help` and the settings table in the docs are
 * rendered from it; {@link loadConfig} in config.ts resolves it into a `Config`.
 * @module
 */
import { z } from "zod";
import { DEVICE_MODES } from "./protocol/device_modes.ts";
import { AlertRules } from "./protocol/alerts.ts";
import { canonicalHost } from "./host_names.ts";
import { SHUNT_RANGES_MV, type ShuntRangeMv } from "./hardware/ina219_shunt.ts";
import { SERIAL_BAUDS } from "./hardware/serial_baud.ts";

/** One setting: its environment name, default, help and how it is validated. */
export interface Setting {
  /** The environment variable, `SAMPLE_INTERVAL_MS`; its flag is `--sample-interval-ms`. */
  env: string;
  /** What it does, for `--help` and the docs; `code` in backticks (stripped in `--help`). */
  help: string;
  /** The default as it would be written in the variable; `undefined` means "unset". */
  defaultText?: string;
  /** The default is resolved from other settings or facts; `defaultText` describes it. */
  derived?: true;
  /** A credential: an error names the setting but never shows the value. */
  secret?: true;
  /** Validates the text of the variable or flag and turns it into the value. */
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

/** One of `values`, written as its decimal digits. */
export function numberChoice<T extends number>(values: readonly T[]): z.ZodType<T, string> {
  return choice(values.map(String)).transform((s) => Number(s) as T);
}

const bool = z.enum(["true", "false"], { error: "must be true or false" }).transform((s) =>
  s === "true"
);

/** Any text but an empty (or blank) one. */
export const nonEmpty = z.string().trim().min(1, "must not be empty");

/** What hono/bearer-auth accepts after `Bearer ` (RFC 6750 b64token). */
const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

/** Whether `text` is an absolute `http:` or `https:` URL with a host. */
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** Every setting, in the order `--help` and the docs list them. */
export const SETTINGS = {
  port: {
    env: "PORT",
    help: "TCP port of the HTTP/WebSocket server (`0` picks a free one)",
    defaultText: "8000",
    schema: int(0, 65535),
  },
  host: {
    env: "HOST",
    help: "address to bind; `127.0.0.1` keeps the server on this machine",
    defaultText: "0.0.0.0",
    schema: nonEmpty,
  },
  configFile: {
    env: "CONFIG_FILE",
    help:
      'a JSON file (comments and trailing commas allowed) with `channels` and any other setting by its lower-case name, e.g. `{"channels": [ … ], "sample_interval_ms": 250}`; flags and variables win over it ([configuration.md](configuration.md#channels))',
    schema: nonEmpty,
  },
  channels: {
    env: "CHANNELS",
    help:
      'the sensors to read, as a JSON array, e.g. `[{"name":"in","sensor":"ina219","i2c_address":"0x40"},{"name":"sim","sensor":"mock"}]`; unset = one channel, `main`, from `SENSOR` and the settings below ([configuration.md](configuration.md#channels))',
    defaultText: "one channel, `main`",
    derived: true,
    schema: nonEmpty,
  },
  sensor: {
    env: "SENSOR",
    help:
      "where samples come from: `mock`, `ina219` (I2C on this machine) or `serial` (the v1 Arduino device)",
    defaultText: "mock",
    schema: choice(["mock", "ina219", "serial"] as const),
  },
  i2cBus: {
    env: "I2C_BUS",
    help:
      "INA219: the I2C adapter number, `/dev/i2c-N` (`1` on a Raspberry Pi), or `emulated`: an in-process chip ([hardware.md](hardware.md#try-the-hardware-path-without-hardware))",
    defaultText: "1",
    schema: z.union([z.literal("emulated"), int(0, 255)], {
      error: "must be an integer from 0 to 255 or emulated",
    }),
  },
  i2cEmulatedKhz: {
    env: "I2C_EMULATED_KHZ",
    help:
      "`I2C_BUS=emulated`: its bus clock in kHz, `100` or `400`; each transfer takes its bit times",
    defaultText: "400",
    schema: numberChoice([100, 400] as const),
  },
  i2cAddress: {
    env: "I2C_ADDRESS",
    help: "INA219: its address as set by A0/A1, `0x40` to `0x4F`",
    defaultText: "0x40",
    schema: z.string().trim().regex(/^(0x[0-9a-f]{1,2}|\d{1,3})$/i, "must be 0x40 to 0x4F")
      .transform(Number).pipe(
        z.number().min(0x40, "must be 0x40 to 0x4F").max(0x4f, "must be 0x40 to 0x4F"),
      ),
  },
  shuntOhms: {
    env: "SHUNT_OHMS",
    help: "INA219: shunt resistance in Ω (0.1 on the common breakout boards)",
    defaultText: "0.1",
    schema: decimal("a resistance above 0 and up to 100 ohms", 100),
  },
  maxCurrentA: {
    env: "MAX_CURRENT_A",
    help: "INA219: the largest current expected in A; sets the calibration and the shunt range",
    defaultText: "3.2",
    schema: decimal("a current above 0 and up to 1000 A", 1000),
  },
  busVoltageRange: {
    env: "BUS_VOLTAGE_RANGE",
    help: "INA219: bus voltage full scale, `16` or `32` V",
    defaultText: "32",
    schema: numberChoice([16, 32] as const),
  },
  adcSamples: {
    env: "ADC_SAMPLES",
    help:
      "INA219: samples averaged per conversion, a power of 2 from 1 (single 12-bit) to 128 (takes 136 ms)",
    defaultText: "1",
    schema: numberChoice([1, 2, 4, 8, 16, 32, 64, 128]),
  },
  shuntRangeMv: {
    env: "SHUNT_RANGE_MV",
    help:
      "INA219: shunt full scale (PGA), `40`, `80`, `160` or `320` mV, or `auto` (automatic gain); more than 320 mV at `MAX_CURRENT_A` stops start-up",
    defaultText: "fitted to `SHUNT_OHMS` × `MAX_CURRENT_A`",
    derived: true,
    schema: choice([...SHUNT_RANGES_MV.map(String), "auto"]).transform((s) =>
      s === "auto" ? "auto" as const : Number(s) as ShuntRangeMv
    ),
  },
  serialPort: {
    env: "SERIAL_PORT",
    help: "serial: the Arduino's port (a `/dev/serial/by-id/…` path survives replugging)",
    defaultText: "/dev/ttyACM0",
    schema: nonEmpty,
  },
  serialBaud: {
    env: "SERIAL_BAUD",
    help: `serial: baud rate of the Arduino's sketch, a standard rate from ${SERIAL_BAUDS[0]} to ${
      SERIAL_BAUDS.at(-1)
    }`,
    defaultText: "115200",
    schema: numberChoice(SERIAL_BAUDS),
  },
  sampleIntervalMs: {
    env: "SAMPLE_INTERVAL_MS",
    help: "time between samples, 1 to 10000 ms",
    defaultText: "1000",
    schema: int(1, 10_000),
  },
  mockMode: {
    env: "MOCK_MODE",
    help: `the mock's initial mode: ${DEVICE_MODES.map((m) => `\`${m}\``).join(", ")}`,
    defaultText: "NORMAL",
    schema: choice(DEVICE_MODES),
  },
  mockAutoRotateS: {
    env: "MOCK_AUTO_ROTATE_S",
    help: "rotate the mock's modes every N s, as the v1 mock did (`0` = off)",
    defaultText: "30",
    schema: int(0, 86_400),
  },
  mockSeed: {
    env: "MOCK_SEED",
    help: "seed for reproducible mock values (unset = random)",
    schema: int(0, 4_294_967_295),
  },
  dataDir: {
    env: "DATA_DIR",
    help: "data folder, created and checked for writing at start",
    defaultText: "./data",
    schema: nonEmpty,
  },
  dbPath: {
    env: "DB_PATH",
    help: "SQLite file for the history",
    defaultText: "`<DATA_DIR>/ina219.db`",
    derived: true,
    schema: nonEmpty,
  },
  retentionHours: {
    env: "RETENTION_HOURS",
    help: "keep raw samples and the 100 ms and per-second rollups this many hours",
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
    help:
      "write queued samples to the database this often, 50 to 60000 ms (in transactions of 400 rows, every channel in each)",
    defaultText: "1000",
    schema: int(50, 60_000),
  },
  dbMaxQueue: {
    env: "DB_MAX_QUEUE",
    help:
      "samples held in memory, all channels together, while the database refuses writes (disk full); beyond it the oldest are dropped and counted",
    defaultText: "300000",
    schema: int(1000, 10_000_000),
  },
  recordingsMaxMb: {
    env: "RECORDINGS_MAX_MB",
    help:
      "disk budget of kept recordings (their samples and rollups, in MB of database pages); when reached, new recordings, imports and live appends are refused with an error and a status message, and nothing is deleted",
    defaultText: "1024",
    schema: int(1, 10_000_000),
  },
  alertRules: {
    env: "ALERT_RULES",
    help:
      'alert rules as JSON, e.g. `[{"metric":"a","warning_high":0.4,"danger_high":0.5,"hysteresis":0.02,"for_ms":1000}]` (unset = the rules last saved, else the 5 V rail defaults)',
    schema: z.string().transform((text, ctx) => {
      try {
        return JSON.parse(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `must be JSON (${(error as Error).message})` });
        return z.NEVER;
      }
    }).pipe(AlertRules),
  },
  metricsEnabled: {
    env: "METRICS_ENABLED",
    help: "serve Prometheus metrics at `/metrics` (`true` or `false`)",
    defaultText: "true",
    schema: bool,
  },
  deviceId: {
    env: "DEVICE_ID",
    help:
      "this monitor's name in MQTT topics and Home Assistant: 1 to 64 letters, digits, `-` and `_`",
    defaultText: "`ina219-<hostname>`",
    derived: true,
    schema: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, - or _"),
  },
  mqttUrl: {
    env: "MQTT_URL",
    help: "MQTT broker, `mqtt://host:1883` or `mqtts://host:8883` (unset = no MQTT)",
    schema: z.string().regex(
      /^mqtts?:\/\/[^\s/]+\/?$/,
      "must look like mqtt://host:1883 or mqtts://host:8883",
    ),
  },
  mqttUsername: {
    env: "MQTT_USERNAME",
    help: "MQTT user name",
    schema: z.string(),
  },
  mqttPassword: {
    env: "MQTT_PASSWORD",
    help: "MQTT password",
    secret: true,
    schema: z.string(),
  },
  mqttTopicPrefix: {
    env: "MQTT_TOPIC_PREFIX",
    help:
      "topics are `<prefix>/state`, `<prefix>/alert` and `<prefix>/availability` (further channels: `<prefix>/<channel>/state`, …); no wildcards, no trailing /",
    defaultText: "`ina219/<DEVICE_ID>`",
    derived: true,
    schema: z.string().regex(
      /^[^#+\s]+[^/#+\s]$/,
      "must be a topic without wildcards or a trailing /",
    ),
  },
  mqttDiscoveryPrefix: {
    env: "MQTT_DISCOVERY_PREFIX",
    help: "Home Assistant discovery prefix (one topic level)",
    defaultText: "homeassistant",
    schema: z.string().regex(/^[^#+\s/]+$/, "must be one topic level"),
  },
  mqttIntervalS: {
    env: "MQTT_INTERVAL_S",
    help: "publish the state every N s (Home Assistant bogs down at 1 Hz)",
    defaultText: "10",
    schema: int(1, 3600),
  },
  notifyWebhookUrls: {
    env: "NOTIFY_WEBHOOK_URLS",
    help:
      "push alert transitions to these `http(s)://` webhooks, comma-separated, as signed JSON through a durable outbox (unset = none; shown as scheme and host only) ([integrations.md](integrations.md#notifications))",
    secret: true,
    schema: z.string().transform((s) => s.split(",").map((u) => u.trim()).filter(Boolean)).pipe(
      z.array(z.string().refine(isHttpUrl, "must be an http:// or https:// URL")).min(
        1,
        "must list at least one URL",
      ),
    ),
  },
  notifyWebhookSecret: {
    env: "NOTIFY_WEBHOOK_SECRET",
    help:
      "with `NOTIFY_WEBHOOK_URLS`: sign each body with HMAC-SHA256 in `X-Signature: sha256=<hex>` (16 or more characters)",
    secret: true,
    schema: z.string().min(16, "must be at least 16 characters"),
  },
  notifyNtfyUrl: {
    env: "NOTIFY_NTFY_URL",
    help:
      "push alert transitions to this ntfy topic, e.g. `https://ntfy.sh/my-topic` or a self-hosted server's (unset = none; shown as scheme and host only)",
    secret: true,
    schema: z.string().trim().refine(
      (u) => isHttpUrl(u) && new URL(u).pathname.replace(/\/+$/, "").length > 1,
      "must be an http:// or https:// URL naming a topic, like https://ntfy.sh/my-topic",
    ),
  },
  notifyNtfyToken: {
    env: "NOTIFY_NTFY_TOKEN",
    help: "with `NOTIFY_NTFY_URL`: an access token sent as `Authorization: Bearer …`",
    secret: true,
    schema: z.string().regex(BEARER_TOKEN, "must be an access token such as tk_…"),
  },
  notifyRuleLimit: {
    env: "NOTIFY_RULE_LIMIT",
    help:
      "at most this many transitions of one rule (channel and metric) are pushed per `NOTIFY_RULE_WINDOW_S`; the rest become one summary at the window's end",
    defaultText: "4",
    schema: int(1, 100),
  },
  notifyRuleWindowS: {
    env: "NOTIFY_RULE_WINDOW_S",
    help: "the window of `NOTIFY_RULE_LIMIT`, in seconds",
    defaultText: "600",
    schema: int(10, 86_400),
  },
  apiToken: {
    env: "API_TOKEN",
    help:
      "bearer token required by every state-changing request and the bulk reads (unset = open): 8 or more of `A-Z a-z 0-9 - . _ ~ + /` and trailing `=`",
    secret: true,
    schema: z.string().min(8, "must be at least 8 characters").regex(
      BEARER_TOKEN,
      "must use only A-Z a-z 0-9 - . _ ~ + / (and = at the end), the characters of a bearer token",
    ),
  },
  readTokenRequired: {
    env: "READ_TOKEN_REQUIRED",
    help:
      "with `API_TOKEN`: require the token on every read too, except the pages, `/status` and `/ws` (`true` or `false`)",
    defaultText: "false",
    schema: bool,
  },
  allowedOrigins: {
    env: "ALLOWED_ORIGINS",
    help:
      "extra browser origins allowed to open `/ws` and send changes, comma-separated (`*` = any, `null` = pages opened from disk); the server's own origin is always allowed",
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
  allowedHosts: {
    env: "ALLOWED_HOSTS",
    help:
      "extra names or addresses this server is reached by (a proxy's name), comma-separated, no port (`*` = no Host check); loopback, this machine's names and addresses and `HOST` are always allowed",
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
  statusIntervalS: {
    env: "STATUS_INTERVAL_S",
    help: "send a status message (heartbeat) to every WebSocket client every N s (`0` = off)",
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
    help: "close a client (code 1013) that has been skipped this many seconds",
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
  httpMaxConns: {
    env: "HTTP_MAX_CONNS",
    help:
      "most open TCP connections at once (each holds up to 3 file descriptors); more get 503 and are closed",
    defaultText: "1024",
    schema: int(1, 100_000),
  },
  httpMaxConnsPerAddress: {
    env: "HTTP_MAX_CONNS_PER_ADDRESS",
    help: "most open TCP connections at once from one IP address; more get 429 and are closed",
    defaultText: "64",
    schema: int(1, 100_000),
  },
  httpConnectRatePerAddress: {
    env: "HTTP_CONNECT_RATE_PER_ADDRESS",
    help:
      "new connections per second from one IP address (bursts of twice as many); more get 429 and are closed",
    defaultText: "50",
    schema: int(1, 100_000),
  },
  httpHeaderTimeoutMs: {
    env: "HTTP_HEADER_TIMEOUT_MS",
    help:
      "a new connection must send its first request head (at most 16 KiB) within this many ms, else 408 and closed",
    defaultText: "10000",
    schema: int(100, 600_000),
  },
  httpIdleTimeoutMs: {
    env: "HTTP_IDLE_TIMEOUT_MS",
    help:
      "close a keep-alive connection (not a WebSocket) with no traffic either way for this many ms",
    defaultText: "30000",
    schema: int(100, 3_600_000),
  },
  httpSendTimeoutMs: {
    env: "HTTP_SEND_TIMEOUT_MS",
    help:
      "drop a connection whose client leaves one write pending this many ms (it stopped reading)",
    defaultText: "`WS_STUCK_CLOSE_S` × 1000 + 5000",
    derived: true,
    schema: int(100, 3_600_000),
  },
} satisfies Record<string, Setting>;

/** The settings table's type. */
export type Settings = typeof SETTINGS;

/** A setting's value as validated, before {@link loadConfig} resolves it. */
export type Parsed = {
  [K in keyof Settings]: Settings[K] extends { derived: true }
    ? z.output<Settings[K]["schema"]> | undefined
    : Settings[K] extends { defaultText: string } ? z.output<Settings[K]["schema"]>
    : z.output<Settings[K]["schema"]> | undefined;
};

/** The flag that mirrors a variable: `SAMPLE_INTERVAL_MS` → `sample-interval-ms`. */
export function flagName(env: string): string {
  return env.toLowerCase().replaceAll("_", "-");
}

/** One row of the settings documentation. */
export interface SettingDoc {
  /** `PORT` */
  variable: string;
  /** `--port` */
  flag: string;
  /** Markdown: `` `8000` ``, `unset`, `empty`, or how a derived default is found. */
  default: string;
  /** Markdown: the help text. */
  meaning: string;
}

/** Every setting as documentation rows, in table order. */
export function settingDocs(): SettingDoc[] {
  return (Object.values(SETTINGS) as Setting[]).map((s) => ({
    variable: s.env,
    flag: `--${flagName(s.env)}`,
    default: s.defaultText === undefined
      ? "unset"
      : s.defaultText === ""
      ? "empty"
      : s.derived
      ? s.defaultText
      : `\`${s.defaultText}\``,
    meaning: s.help,
  }));
}
