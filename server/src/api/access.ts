import { GraphQLError } from 'graphql';
import { ErrorCode } from './errors.js';

/**
 * What a request may change. `delete`: the delete mutations; `write`: every other change (mock events,
 * replay, recorded deliveries). Reading needs no capability: being let in is enough.
 */
export type Capability = 'delete' | 'write';

/** The kind of credential a request proved: `full` (AUTH_TOKEN, AUTH_USERS, or no auth configured) or
 * `readonly` (AUTH_READONLY_TOKENS). */
export type AccessRole = 'full' | 'readonly';

/** The settings that decide what a read-only credential may change. */
export interface AccessPolicy {
  /** READONLY_MAY_DELETE: read-only tokens may also delete events. */
  readonlyMayDelete: boolean;
}

/** Whether a request with this role may do what needs `capability`. */
export type MayCheck = (capability: Capability) => boolean;

/** The check for `role` under `policy`: full credentials may everything, read-only ones only what the
 * policy grants. */
export function mayFor(role: AccessRole, policy: AccessPolicy): MayCheck {
  if (role === 'full') return () => true;
  return (capability) => capability === 'delete' && policy.readonlyMayDelete;
}

/** A check that refuses everything: for contexts that carry no request (shared subscription runs). */
export const mayNothing: MayCheck = () => false;

/** Throws FORBIDDEN unless `may(capability)`; `action` names what was refused (e.g. `deleteEvents`). */
export function requireCapability(may: MayCheck, capability: Capability, action: string): void {
  if (may(capability)) return;
  const hint =
    capability === 'delete'
      ? 'a read-only credential (AUTH_READONLY_TOKENS) may not delete events unless READONLY_MAY_DELETE=true'
      : 'a read-only credential (AUTH_READONLY_TOKENS) may not change anything';
  throw new GraphQLError(`${action}: ${hint}`, { extensions: { code: ErrorCode.FORBIDDEN, capability } });
}
