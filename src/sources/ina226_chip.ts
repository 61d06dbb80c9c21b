/**
 * An emulated INA226, register-exact: shunt (2.5 µV) and bus (1.25 mV) ADCs, the
 * calibration register, and Current = Shunt × CAL / 2048, Power = Current × Bus /
 * 20000 (SBOS547 §7.5.1 Equations 3–4), with OVF when either overflows. The
 * register file, Mask/Enable and the conversion timing come from
 * {@link Ina226FamilyChip}. No I/O: {@link EmulatedI2cBus} puts it on a bus.
 * @module
 */
import type { AnalogInput } from "./ina219_chip.ts";
import { type EmulatedChipOptions, Ina226FamilyChip } from "./ina2xx_chip.ts";
import { clampCount, toSigned } from "./ina2xx_registers.ts";
import {
  BUS_LSB_V,
  CAL_MAX,
  CONFIG_POWER_ON,
  CONFIG_RESERVED,
  DIE_ID,
  REG_BUS_VOLTAGE,
  REG_CALIBRATION,
  REG_CURRENT,
  REG_POWER,
  REG_SHUNT_VOLTAGE,
  SHUNT_LSB_V,
} from "./ina226_registers.ts";

/** The INA226's register file and conversion engine. */
export class Ina226Chip extends Ina226FamilyChip {
  /** A chip that has just powered on (config 4127h, calibration 0). */
  constructor(options: EmulatedChipOptions) {
    super(options, {
      configPowerOn: CONFIG_POWER_ON,
      configReserved: CONFIG_RESERVED,
      dieId: DIE_ID,
      dataRegisters: [REG_SHUNT_VOLTAGE, REG_BUS_VOLTAGE, REG_POWER, REG_CURRENT],
      calibration: { register: REG_CALIBRATION, mask: CAL_MAX }, // §7.6.6: bit 15 unused
    });
  }

  /** One result from the input at its instant; true when current or power overflowed. */
  protected convert(input: AnalogInput): boolean {
    const r = this.registers;
    const { shunt, bus } = this.channels;
    if (shunt) {
      r[REG_SHUNT_VOLTAGE] = clampCount(input.shuntV / SHUNT_LSB_V, -32768, 32767) & 0xffff;
    }
    if (bus) r[REG_BUS_VOLTAGE] = clampCount(input.busV / BUS_LSB_V, 0, 0x7fff);
    // §7.5.1: until the calibration register is written, current and power stay 0.
    let current = Math.trunc((toSigned(r[REG_SHUNT_VOLTAGE], 16) * r[REG_CALIBRATION]) / 2048);
    let power = Math.trunc((Math.abs(current) * r[REG_BUS_VOLTAGE]) / 20000);
    let overflow = false;
    if (current > 32767 || current < -32768) {
      [current, overflow] = [current > 0 ? 32767 : -32768, true];
    }
    if (power > 0xffff) [power, overflow] = [0xffff, true];
    r[REG_CURRENT] = current & 0xffff;
    r[REG_POWER] = power;
    return overflow;
  }
}
