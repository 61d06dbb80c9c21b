/** The event channel the composition root wires through. */
import assert from "node:assert/strict";
import { Signal } from "../src/signal.ts";

Deno.test("Signal hands each value to every listener in order; none before the first listener", () => {
  const signal = new Signal<number>();
  const seen: string[] = [];
  signal.emit(0);
  signal.listen((n) => seen.push(`a${n}`));
  signal.listen((n) => seen.push(`b${n}`));
  const { emit } = signal;
  emit(1);
  assert.deepEqual(seen, ["a1", "b1"]);
});
