/**
 * A fake sysfs in a temp folder, laid out as Linux does: I2C devices under
 * `devices/` linked from `bus/i2c/devices/`, a `driver` link when one is bound,
 * and `class/hwmon/hwmonN` folders with a `name` file and a `device` link.
 * @module
 */
import { i2cDeviceName } from "../src/sources/sysfs.ts";

/** A fake sysfs; `await using` removes it. */
export async function fakeSysfs(): Promise<{
  root: string;
  device(bus: number, address: number, driver?: string): Promise<string>;
  hwmon(n: number, name: string, device?: string): Promise<string>;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const root = await Deno.makeTempDir({ prefix: "sysfs-" });
  await Deno.mkdir(`${root}/bus/i2c/devices`, { recursive: true });
  await Deno.mkdir(`${root}/class/hwmon`, { recursive: true });
  return {
    root,
    async device(bus, address, driver) {
      const name = i2cDeviceName(bus, address);
      const dir = `${root}/devices/platform/i2c-${bus}/${name}`;
      await Deno.mkdir(dir, { recursive: true });
      await Deno.symlink(
        `../../../devices/platform/i2c-${bus}/${name}`,
        `${root}/bus/i2c/devices/${name}`,
      );
      if (driver) {
        await Deno.mkdir(`${root}/bus/i2c/drivers/${driver}`, { recursive: true });
        await Deno.symlink(`../../../bus/i2c/drivers/${driver}`, `${dir}/driver`);
      }
      return dir;
    },
    async hwmon(n, name, device) {
      const dir = `${root}/class/hwmon/hwmon${n}`;
      await Deno.mkdir(dir);
      await Deno.writeTextFile(`${dir}/name`, `${name}\n`);
      if (device) await Deno.symlink(`../../../devices/platform/i2c-x/${device}`, `${dir}/device`);
      return dir;
    },
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}
