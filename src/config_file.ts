/**
 * CONFIG_FILE: JSON with comments and trailing commas (jsonc-parser, the parser of VS
 * Code's settings), holding settings by their lower-case names and `channels`. Pure: the
 * caller reads the file; this turns its text into the texts the variables would hold.
 * @module
 */
import { parse, type ParseError, printParseErrorCode } from "jsonc-parser";

/**
 * Parses JSON that may have comments and trailing commas.
 *
 * @example
 * ```ts
 * parseJsonc('[{"name": "in", /* the regulator's input *\/ "sensor": "mock",},]');
 * ```
 * @throws {SyntaxError} `line 3, column 5: comma expected`.
 */
export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, allowEmptyContent: false });
  if (errors.length > 0) {
    const { offset, error } = errors[0];
    const before = text.slice(0, offset).split("\n");
    const what = printParseErrorCode(error).replace(/(?<=[a-z])(?=[A-Z])/g, " ").toLowerCase();
    throw new SyntaxError(`line ${before.length}, column ${before.at(-1)!.length + 1}: ${what}`);
  }
  return value;
}

/**
 * A config file's settings as the texts their variables would hold, by lower-case name:
 * a number or `true`/`false` as written, a list of strings comma-separated, any other list
 * or object as JSON (`alert_rules`, `channels`).
 *
 * @example
 * ```ts
 * fileSettingTexts({ sample_interval_ms: 250, channels: [] }, names); // Map { sample_interval_ms → "250", channels → "[]" }
 * ```
 * @throws {TypeError} naming the first unknown or unusable setting.
 */
export function fileSettingTexts(
  value: unknown,
  names: ReadonlySet<string>,
): Map<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError('must hold a JSON object, like {"channels": [ … ]}');
  }
  const texts = new Map<string, string>();
  for (const [name, setting] of Object.entries(value)) {
    if (!names.has(name)) {
      throw new TypeError(
        name === "config_file"
          ? "config_file: a config file cannot name another"
          : `unknown setting "${name}" (settings are spelled like sample_interval_ms)`,
      );
    }
    if (typeof setting === "string") texts.set(name, setting);
    else if (typeof setting === "number" || typeof setting === "boolean") {
      texts.set(name, String(setting));
    } else if (Array.isArray(setting) && name !== "channels" && setting.every(isString)) {
      texts.set(name, setting.join(","));
    } else if (typeof setting === "object" && setting !== null) {
      texts.set(name, JSON.stringify(setting));
    } else throw new TypeError(`${name}: must be a value (leave the setting out to unset it)`);
  }
  return texts;
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}
