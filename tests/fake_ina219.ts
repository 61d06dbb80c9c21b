/**
 * A register-level INA219 behind {@link I2cBus}: it holds the six registers,
 * converts the physical inputs a test sets the way the chip does (PGA clipping,
 * Current = Shunt × Cal / 4096, Power = Current × Bus / 5000, OVF), and can reset
 * (brown-out), not answer (NACK) or time out.
 * @module
 */
import { type I2cBus, I2cError } from "../src/sources/i2c.ts";
import {
  CONFIG_POWER_ON,
  CONFIG_RESET,
  decodeConfig,
  REG_BUS_VOLTAGE,
  REG_CALIBRATION,
  REG_CONFIG,
  REG_CURRENT,
  REG_POWER,
  REG_SHUNT_VOLTAGE,
} from "../src/sources/ina219_registers.ts";

/** One transfer as the fake saw it. */
export interface Transfer {
  address: number;
  bytes: number[];
  length: number;
}

/** The fake chip. */
export class FakeIna219 implements I2cBus {
  readonly name = "/dev/i2c-fake";
  address = 0x40;
  /** Physical inputs: the voltage across the shunt and at IN− (V). */
  shuntVoltageV = 0;
  busVoltageV = 0;
  /** Run a conversion before each bus voltage read (as if the conversion time passed). */
  autoConvert = true;
  /** Every transfer fails: no acknowledge (ENXIO), or the bus hangs (ETIMEDOUT). */
  fault: "nack" | "timeout" | undefined;
  readonly registers = new Uint16Array(6);
  readonly transfers: Transfer[] = [];
  closes = 0;

  constructor() {
    this.powerOn();
  }

  /** Power-on (or brown-out) reset: defaults everywhere, calibration 0. */
  powerOn(): void {
    this.registers.fill(0);
    this.registers[REG_CONFIG] = CONFIG_POWER_ON;
  }

  /** Values of the registers the driver wrote, by register. */
  writes(register: number): number[] {
    return this.transfers.filter((t) => t.bytes.length === 3 && t.bytes[0] === register)
      .map((t) => (t.bytes[1] << 8) | t.bytes[2]);
  }

  /** One shunt + bus conversion with the current configuration and calibration. */
  convert(): void {
    const { pga } = decodeConfig(this.registers[REG_CONFIG]);
    const fullScale = 4000 * pga;
    const shunt = Math.max(-fullScale, Math.min(fullScale, Math.round(this.shuntVoltageV / 10e-6)));
    const busCount = Math.max(0, Math.min(8191, Math.round(this.busVoltageV / 0.004)));
    const cal = this.registers[REG_CALIBRATION];
    let current = Math.trunc(shunt * cal / 4096);
    let power = Math.trunc(Math.abs(current) * busCount / 5000);
    let overflow = false;
    if (Math.abs(current) > 32767) [current, overflow] = [Math.sign(current) * 32767, true];
    if (power > 65535) [power, overflow] = [65535, true];
    this.registers[REG_SHUNT_VOLTAGE] = shunt & 0xffff;
    this.registers[REG_CURRENT] = current & 0xffff;
    this.registers[REG_POWER] = power;
    this.registers[REG_BUS_VOLTAGE] = (busCount << 3) | 0b10 | (overflow ? 1 : 0);
  }

  writeRead(address: number, bytes: Uint8Array, length: number): Promise<Uint8Array> {
    this.transfers.push({ address, bytes: [...bytes], length });
    const register = bytes[0];
    const options = { bus: this.name, address, register };
    if (this.fault === "timeout") {
      return Promise.reject(new I2cError("fake transfer failed", "ETIMEDOUT", options));
    }
    if (this.fault === "nack" || address !== this.address) {
      return Promise.reject(new I2cError("fake transfer failed", "ENXIO", options));
    }
    if (bytes.length === 3) this.#write(register, (bytes[1] << 8) | bytes[2]);
    if (length === 0) return Promise.resolve(new Uint8Array());
    if (register === REG_BUS_VOLTAGE && this.autoConvert) this.convert();
    const value = this.registers[register];
    // §8.6.3.2: reading the power register clears CNVR.
    if (register === REG_POWER) this.registers[REG_BUS_VOLTAGE] &= ~0b10;
    return Promise.resolve(Uint8Array.of(value >> 8, value & 0xff));
  }

  close(): void {
    this.closes++;
  }

  #write(register: number, value: number): void {
    if (register === REG_CONFIG) {
      if (value & CONFIG_RESET) return this.powerOn();
      this.registers[REG_CONFIG] = value;
      this.registers[REG_BUS_VOLTAGE] &= ~0b10; // a new mode clears CNVR
    } else if (register === REG_CALIBRATION) {
      this.registers[REG_CALIBRATION] = value & 0xfffe; // D0 is not implemented
    }
  }
}
