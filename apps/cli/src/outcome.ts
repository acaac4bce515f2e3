import type { Actor } from '@app/core';
import type { Municipality, Session } from './session';

/** What a command did: lines for a person, an object for --json, and a failure when the work was done but the answer is "no" (exit 1). */
export interface Outcome {
  lines: string[];
  json: unknown;
  /** Printed on stderr as `error: …`; the command exits 1 (an import with errors, a broken audit trail). */
  failure?: string;
}

/**
 * The operator as an `Actor`, for the few service methods that take one to read a municipality's
 * records (they use its municipalityId). The operator is no user of the database: no user id, so
 * audit entries written through it name no user, and the CLI's own writes use `session.actor`.
 */
export function operatorActor(session: Session, municipality: Municipality): Actor {
  return { userId: null as unknown as string, email: session.actor.email, municipalityId: municipality.id, role: 'admin', ngoId: null, platformAdmin: false };
}
