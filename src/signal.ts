/**
 * A one-kind event channel, created before the objects on either side of it, so
 * the composition root can hand `emit` to a producer built before its consumer
 * (the source's notices need the sampler's state; the sampler's samples feed a
 * pipeline whose energy meter reads the sampler's interval).
 * @module
 */

/**
 * Calls every listener with each emitted value, in the order they were added.
 * Values emitted before the first listener are dropped.
 *
 * @example
 * ```ts
 * const notices = new Signal<string>();
 * const source = createSource(config, { onNotice: notices.emit });
 * notices.listen((message) => console.log(message));
 * ```
 */
export class Signal<T> {
  #listeners: ((value: T) => void)[] = [];

  /** Hands `value` to every listener (bound: pass it around as a callback). */
  emit = (value: T): void => {
    for (const listener of this.#listeners) listener(value);
  };

  /** Adds a listener. */
  listen(listener: (value: T) => void): void {
    this.#listeners.push(listener);
  }
}
