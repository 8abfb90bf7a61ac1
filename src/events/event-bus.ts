/**
 * Wakes up readers of a stream when it has new events. It carries no events itself: readers
 * read them from the log, so a missed wake-up costs latency, never an event.
 */
export class EventBus {
  private readonly listeners = new Map<string, Set<() => void>>();

  subscribe(streamId: string, listener: () => void): () => void {
    let set = this.listeners.get(streamId);
    if (!set) {
      set = new Set();
      this.listeners.set(streamId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(streamId);
      }
    };
  }

  notify(streamId: string): void {
    for (const listener of this.listeners.get(streamId) ?? []) {
      listener();
    }
  }
}
