/**
 * An emulated INA260, register-exact: the current ADC across the integrated 2 mΩ
 * shunt (1.25 mA, i.e. 2.5 µV, LSB), the bus ADC (1.25 mV) and power in 10 mW steps,
 * with OVF when power overflows (SBOS656 §8.6). The register file, Mask/Enable and
 * the conversion timing come from {@link Ina226FamilyChip}. Its analog input's
 * `shuntV` is the voltage across the internal shunt (current × 0.002 Ω).
 * @module
 */
import type { AnalogInput } from "./ina219_chip.ts";
import { type EmulatedChipOptions, Ina226FamilyChip } from "./ina2xx_chip.ts";
import { clampCount, toSigned } from "./ina2xx_registers.ts";
import {
  BUS_LSB_V,
  CONFIG_POWER_ON,
  CONFIG_RESERVED,
  CURRENT_LSB_A,
  DIE_ID,
  REG_BUS_VOLTAGE,
  REG_CURRENT,
  REG_POWER,
  SHUNT_OHMS,
} from "./ina260_registers.ts";

/** Power = Current × Bus × (1.25 mA × 1.25 mV) / 10 mW = Current × Bus / 6400. */
const POWER_DIVISOR = 6400;

/** The INA260's register file and conversion engine. */
export class Ina260Chip extends Ina226FamilyChip {
  /** A chip that has just powered on (config 6127h). */
  constructor(options: EmulatedChipOptions) {
    super(options, {
      configPowerOn: CONFIG_POWER_ON,
      configReserved: CONFIG_RESERVED,
      dieId: DIE_ID,
      dataRegisters: [REG_CURRENT, REG_BUS_VOLTAGE, REG_POWER],
    });
  }

  /** One result from the input at its instant; true when current or power overflowed. */
  protected convert(input: AnalogInput): boolean {
    const r = this.registers;
    const { shunt, bus } = this.channels;
    if (shunt) {
      const count = input.shuntV / SHUNT_OHMS / CURRENT_LSB_A;
      r[REG_CURRENT] = clampCount(count, -32768, 32767) & 0xffff;
    }
    if (bus) r[REG_BUS_VOLTAGE] = clampCount(input.busV / BUS_LSB_V, 0, 0x7fff);
    const current = toSigned(r[REG_CURRENT], 16);
    let power = Math.trunc((Math.abs(current) * r[REG_BUS_VOLTAGE]) / POWER_DIVISOR);
    let overflow = false;
    if (power > 0xffff) [power, overflow] = [0xffff, true];
    r[REG_POWER] = power;
    return overflow;
  }
}
