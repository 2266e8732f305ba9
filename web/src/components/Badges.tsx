import type { ReactNode } from 'react';
import type { EventAction } from '../gql/graphql.js';

/** The action as a coloured label (colour is a hint; the word is always there). */
export function ActionBadge({ action }: { action: EventAction }): ReactNode {
  return <span className={`badge action-${action}`}>{action}</span>;
}

/** A warning count with the warnings as its tooltip; nothing when there are none. */
export function WarningBadge({ warnings }: { warnings: readonly string[] }): ReactNode {
  if (warnings.length === 0) return null;
  return (
    <span className="badge warn" title={warnings.join('\n')} data-testid="warning-badge">
      {warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`}
    </span>
  );
}

/** The warnings spelled out, for detail views. */
export function WarningList({ warnings }: { warnings: readonly string[] }): ReactNode {
  if (warnings.length === 0) return null;
  return (
    <ul className="warnings" aria-label="Warnings">
      {warnings.map((warning, index) => (
        <li key={index}>{warning}</li>
      ))}
    </ul>
  );
}
