import assert from "node:assert/strict";
import {
  AVERAGES,
  bytesToUint,
  decodeFamilyConfig,
  encodeAverages,
  encodeFamilyConfig,
  familyPeriodMs,
  identityMatches,
  INA226_CONVERSION_US,
  INA226_MODES,
  type Ina226FamilyConfig,
  toSigned,
  uintToBytes,
} from "../../src/sources/ina2xx_registers.ts";
import { INA226_IDENTITY } from "../../src/sources/ina226_registers.ts";

Deno.test("encodeFamilyConfig() and decodeFamilyConfig() round-trip every field", () => {
  for (const averages of AVERAGES) {
    for (const [i, busConversionUs] of INA226_CONVERSION_US.entries()) {
      for (const mode of new Set(INA226_MODES)) {
        const config: Ina226FamilyConfig = {
          averages,
          busConversionUs,
          shuntConversionUs: INA226_CONVERSION_US[7 - i],
          mode,
        };
        const raw = encodeFamilyConfig(config, 0x4000);
        assert.equal(raw & 0xf000, 0x4000, "reserved bits as given, reset bit clear");
        assert.deepEqual(decodeFamilyConfig(raw), config);
      }
    }
  }
});

Deno.test("decodeFamilyConfig() reads both power-down codes (000b and 100b)", () => {
  assert.equal(decodeFamilyConfig(0x4124).mode, "power_down");
  assert.equal(decodeFamilyConfig(0x4120).mode, "power_down");
  assert.equal(encodeFamilyConfig(decodeFamilyConfig(0x4124), 0x4000) & 0b111, 0b100);
});

Deno.test("encodeAverages() takes only the chip's averaging counts", () => {
  assert.equal(encodeAverages(1), 0);
  assert.equal(encodeAverages(1024), 7);
  assert.throws(() => encodeAverages(8), /Invalid averaging 8: must be one of 1, 4, 16/);
  assert.throws(
    () =>
      encodeFamilyConfig({
        averages: 1,
        busConversionUs: 1000,
        shuntConversionUs: 1100,
        mode: "shunt_bus_continuous",
      }, 0),
    /Invalid conversion time 1000 µs/,
  );
});

Deno.test("familyPeriodMs() is averages × (bus + shunt) in shunt-and-bus modes", () => {
  const config: Ina226FamilyConfig = {
    averages: 16,
    busConversionUs: 1100,
    shuntConversionUs: 140,
    mode: "shunt_bus_continuous",
  };
  assert.equal(familyPeriodMs(config), 16 * 1.24);
  assert.equal(familyPeriodMs({ ...config, mode: "bus_continuous" }), 16 * 1.1);
  assert.equal(familyPeriodMs({ ...config, mode: "shunt_triggered" }), 16 * 0.14);
  assert.equal(familyPeriodMs({ ...config, mode: "power_down" }), 0);
});

Deno.test("toSigned(), bytesToUint() and uintToBytes() handle 16, 20, 24 and 40 bits", () => {
  assert.equal(toSigned(0xffff, 16), -1);
  assert.equal(toSigned(0x7fff, 16), 32767);
  assert.equal(toSigned(0x80000, 20), -524288);
  assert.equal(toSigned(2 ** 40 - 1, 40), -1);
  assert.equal(bytesToUint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff)), 2 ** 40 - 1);
  assert.equal(bytesToUint(Uint8Array.of(0x12, 0x34, 0x56)), 0x123456);
  assert.deepEqual([...uintToBytes(0x0123456789, 5)], [0x01, 0x23, 0x45, 0x67, 0x89]);
  assert.deepEqual([...uintToBytes(0x5449, 2)], [0x54, 0x49]);
});

Deno.test("identityMatches() wants TI's 5449h and the part number in bits 15..4", () => {
  assert.ok(identityMatches(INA226_IDENTITY, 0x5449, 0x2260));
  assert.ok(identityMatches(INA226_IDENTITY, 0x5449, 0x2261), "any silicon revision");
  assert.ok(!identityMatches(INA226_IDENTITY, 0x5449, 0x2270), "an INA260");
  assert.ok(!identityMatches(INA226_IDENTITY, 0x0000, 0x0000), "an INA219 has no ID registers");
});
