import { useApolloClient, useQuery } from '@apollo/client/react';
import { useState, type ReactNode } from 'react';
import { useEscapeBack } from '../../components/useEscapeBack.js';
import {
  SchemasViewDocument,
  SchemasViewJsonSchemaDocument,
  type SchemasViewQuery,
} from '../../gql/graphql.js';
import { formatInstant } from '../../lib/format.js';
import { Link } from '../../lib/navigation.js';
import { hrefs } from '../../lib/routes.js';
import { HOUR_MS, hourlySeries, sparklinePoints } from './sparkline.js';

type Schema = SchemasViewQuery['schemas'][number];
type Field = Schema['actions'][number]['fields'][number];

const SPARK_WIDTH = 120;
const SPARK_HEIGHT = 20;
/** Characters of an example shown inline; the whole value is in its tooltip. */
const EXAMPLE_MAX_CHARS = 60;

/** When a field was seen, hour by hour over the retained window, as a small line. */
function Sparkline({ field, windowMs }: { field: Field; windowMs: number }): ReactNode {
  const series = hourlySeries(field.seen, Date.now(), windowMs);
  const total = series.reduce((sum, n) => sum + n, 0);
  const label = `${field.path}: seen in ${total} events over the last ${series.length} hours`;
  return (
    <svg
      className="sparkline"
      width={SPARK_WIDTH}
      height={SPARK_HEIGHT}
      viewBox={`0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`}
      role="img"
      aria-label={label}
      data-testid="sparkline"
    >
      <title>{label}</title>
      <polyline
        points={sparklinePoints(series, SPARK_WIDTH, SPARK_HEIGHT)}
        fill="none"
        stroke="currentColor"
      />
    </svg>
  );
}

/** A field's example as text, cut short; "gone" once its event is no longer retained. */
function Example({ field }: { field: Field }): ReactNode {
  if (field.example === null || field.example === undefined) {
    // The API says null both for a null value and for an example whose event is gone.
    return (
      <span className="muted" title="null, or the event it came from is no longer retained">
        none
      </span>
    );
  }
  const text = JSON.stringify(field.example);
  const short = text.length > EXAMPLE_MAX_CHARS ? `${text.slice(0, EXAMPLE_MAX_CHARS)}…` : text;
  return <code title={text}>{short}</code>;
}

/** Saves a schema's JSON Schema export as a file (a Blob; nothing leaves the browser). */
function DownloadButton({ entityType }: { entityType: string }): ReactNode {
  const client = useApolloClient();
  const [error, setError] = useState<string | null>(null);
  const download = async (): Promise<void> => {
    setError(null);
    try {
      const result = await client.query({
        query: SchemasViewJsonSchemaDocument,
        variables: { entityType },
        fetchPolicy: 'network-only',
      });
      const schema = result.data?.schema;
      if (!schema) throw new Error(`no learned schema for ${entityType}`);
      const blob = new Blob([JSON.stringify(schema.jsonSchema, null, 2)], {
        type: 'application/schema+json',
      });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `${entityType.replace(/[^\w.-]+/g, '_')}.schema.json`;
      link.click();
      URL.revokeObjectURL(url);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };
  return (
    <>
      <button type="button" onClick={() => void download()}>
        Download JSON Schema
      </button>
      {error !== null && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

/** One entity type: per action, a table of its fields. */
function SchemaSection({ schema, windowMs }: { schema: Schema; windowMs: number }): ReactNode {
  const headingId = `schema-${schema.entityType}`;
  return (
    <section className="schema" aria-labelledby={headingId} data-testid="schema">
      <div className="point-head">
        <h2 id={headingId}>{schema.entityType}</h2>
        <span className="muted">{schema.eventCount.toLocaleString()} events learned</span>
        <span className="spacer" />
        <Link href={hrefs.stream(`?type=${encodeURIComponent(schema.entityType)}`)}>Its events</Link>
        <DownloadButton entityType={schema.entityType} />
      </div>
      {schema.actions.map((action) => (
        <div key={action.action}>
          <h3>
            <span className={`badge action-${action.action}`}>{action.action}</span>{' '}
            {action.eventCount.toLocaleString()} events, last {formatInstant(action.lastSeen)}
          </h3>
          <table className="changes schema-fields">
            <caption className="visually-hidden">
              Fields of {schema.entityType} {action.action} events
            </caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Types</th>
                <th scope="col">Presence</th>
                <th scope="col">Seen</th>
                <th scope="col">Example</th>
              </tr>
            </thead>
            <tbody>
              {action.fields.map((field) => (
                <tr key={field.path} data-testid="schema-field">
                  <th scope="row">
                    <code>{field.path}</code>
                  </th>
                  <td>{field.types.map((t) => `${t.type} (${t.count.toLocaleString()})`).join(', ')}</td>
                  <td title={`${field.presentCount} of ${action.eventCount} events`}>
                    {Math.round(field.presence * 100)}%
                  </td>
                  <td>
                    <Sparkline field={field} windowMs={windowMs} />
                  </td>
                  <td>
                    <Example field={field} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

/** The Schemas view: what each entity type's payloads carry, learned from the events received. */
export default function SchemasView(): ReactNode {
  useEscapeBack(hrefs.stream());
  const query = useQuery(SchemasViewDocument, { fetchPolicy: 'cache-and-network' });
  const schemas = query.data?.schemas ?? [];
  const windowMs = (query.data?.stats.retentionSeconds ?? 7 * 86_400) * 1000;
  return (
    <section className="page" aria-labelledby="schemas-title">
      <h1 id="schemas-title">Schemas</h1>
      <p className="muted">
        The payload shape of each entity type, learned from every event received: which fields each action
        carries, their JSON types, how often they are present, and when they were seen (per hour over the
        retained window, {Math.round(windowMs / HOUR_MS)} h). Examples come from retained events only.
      </p>
      {query.error !== undefined && (
        <p className="error" role="alert">
          {query.error.message}
        </p>
      )}
      {query.loading && query.data === undefined && <p className="muted">Loading…</p>}
      {query.data !== undefined && schemas.length === 0 && (
        <p className="muted">Nothing learned yet: post an event, or generate mock events.</p>
      )}
      {schemas.map((schema) => (
        <SchemaSection key={schema.entityType} schema={schema} windowMs={windowMs} />
      ))}
    </section>
  );
}
