import { Injectable, Logger } from '@nestjs/common';
import { afterCommit } from '../database/transactions';

/**
 * The events one library announces and others react to, so that the announcer need not import
 * them (libs stay acyclic). Each name maps to its payload.
 */
export interface AppEvents {
  /** A new revision of a municipality's annual report was published (raised after the publication commits). */
  'report.published': { municipalityId: string; year: number };
  /**
   * The connection that hears other processes' events (ClusterEvents) has just (re)connected:
   * whatever they announced meanwhile was lost, so what a listener holds must be checked again.
   */
  'cluster.resync': Record<string, never>;
}

export type AppEventName = keyof AppEvents;
type Listener<K extends AppEventName> = (payload: AppEvents[K]) => void;

/**
 * A tiny typed, synchronous, in-process event bus (one per application: CoreModule provides it).
 * A listener's failure is logged and never reaches the emitter, whose work is already done.
 * Other processes hear only what is also sent with notifyProcesses() (cluster-events.ts), and only
 * if they listen (ClusterEvents).
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger('EventBus');
  private readonly listeners = new Map<AppEventName, Set<Listener<AppEventName>>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends AppEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<AppEventName>);
    return () => set.delete(listener as Listener<AppEventName>);
  }

  emit<K extends AppEventName>(name: K, payload: AppEvents[K]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        this.logger.error(`a listener of ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  }

  /** Emits once the current transaction commits (see afterCommit); never if it rolls back. */
  emitAfterCommit<K extends AppEventName>(name: K, payload: AppEvents[K]): void {
    afterCommit(() => this.emit(name, payload));
  }
}
