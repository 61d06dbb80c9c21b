/**
 * The baud rates a serial device can be opened at: the standard rates Linux names with
 * a termios `B…` constant. Pure, so configuration and the serial port share one list.
 * @module
 */

/** Every baud rate the serial port accepts, slowest first. */
export const SERIAL_BAUDS = [
  1200,
  2400,
  4800,
  9600,
  19200,
  38400,
  57600,
  115200,
  230400,
  460800,
  500000,
  921600,
  1000000,
] as const;

/** A baud rate the serial port accepts. */
export type SerialBaud = typeof SERIAL_BAUDS[number];
