/**
 * A minimal typed event registry (Node's EventEmitter is not in browsers, and EventTarget's CustomEvent loses the
 * payload types). A listener that throws is reported on the console and does not stop the others.
 */
export type Unsubscribe = () => void;

export class Listeners<Events extends { [name: string]: unknown }> {
  private readonly byName = new Map<keyof Events, Set<(payload: never) => void>>();

  on<Name extends keyof Events>(name: Name, listener: (payload: Events[Name]) => void): Unsubscribe {
    let set = this.byName.get(name);
    if (!set) this.byName.set(name, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<Name extends keyof Events>(name: Name, payload: Events[Name]): void {
    for (const listener of [...(this.byName.get(name) ?? [])]) {
      try {
        (listener as (payload: Events[Name]) => void)(payload);
      } catch (error) {
        console.error(`@sightline/player: a "${String(name)}" listener threw`, error);
      }
    }
  }

  clear(): void {
    this.byName.clear();
  }
}
