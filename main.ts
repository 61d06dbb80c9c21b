/**
 * ina219-monitor's entry point: configuration → monitor → signals. Everything
 * else lives in src/.
 * @module
 */
import denoJson from "./deno.json" with { type: "json" };
import { ConfigError, type ConfigFacts, HelpRequested, loadConfig } from "./src/config.ts";
import { type Monitor, startMonitor, StartupError } from "./src/monitor.ts";

/** Reads CONFIG_FILE when one is set. */
const readTextFile = (path: string) => Deno.readTextFileSync(path);

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 2000;

/**
 * What the configuration's defaults need to know about this machine, read here at the
 * edge; a fact that cannot be read is `null`, with the reason.
 */
function readFacts(): { facts: ConfigFacts; hostnameError: string | null } {
  try {
    return { facts: { hostname: Deno.hostname(), readTextFile }, hostnameError: null };
  } catch (error) {
    // Without --allow-sys=hostname the name is unknown; DEVICE_ID falls back to a fixed one.
    return { facts: { hostname: null, readTextFile }, hostnameError: (error as Error).message };
  }
}

async function main(): Promise<number> {
  const { facts, hostnameError } = readFacts();
  let config;
  try {
    config = loadConfig(Deno.env.toObject(), Deno.args, facts);
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(error.message);
      return 0;
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  if (hostnameError !== null && config.mqttUrl !== null) {
    console.warn(
      `Warning: cannot read the host name (${hostnameError}): MQTT uses the device id ${config.deviceId}`,
    );
  }

  // Signals are handled from before the server starts, so a SIGTERM that arrives
  // while it is starting still ends in a clean shutdown.
  const { promise: stopped, resolve } = Promise.withResolvers<void>();
  let monitor: Monitor | undefined;
  let signalled = false;
  const shutdown = (m: Monitor) =>
    m.shutdown().then(resolve, (error) => {
      console.error(`Shutdown failed: ${error.message}`);
      resolve();
    });
  const onSignal = (signal: Deno.Signal) => {
    if (signalled) return;
    signalled = true;
    console.log(`${signal}: shutting down`);
    const force = setTimeout(() => {
      console.error(`Shutdown took over ${SHUTDOWN_GRACE_MS} ms: exiting anyway`);
      Deno.exit(0);
    }, SHUTDOWN_GRACE_MS);
    Deno.unrefTimer(force);
    if (monitor) shutdown(monitor);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => onSignal(signal));
  }

  try {
    monitor = await startMonitor(config, { version: denoJson.version });
  } catch (error) {
    if (error instanceof StartupError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  if (signalled) shutdown(monitor);
  await stopped;
  return 0;
}

if (import.meta.main) Deno.exit(await main());
