import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { EventAction } from '../../gql/graphql.js';
import { useNavigate } from '../../lib/navigation.js';
import { hrefs } from '../../lib/routes.js';
import { DeleteMatchingButton } from './DeleteActions.js';
import { exportHref } from '../../lib/export.js';
import {
  ACTIONS,
  EMPTY_FILTERS,
  filtersToSearch,
  parseFilters,
  toEventFilter,
  type StreamFilters,
} from './filters.js';

/** Free-text filters reach the URL (and the server) once typing pauses this long. */
const TYPING_DEBOUNCE_MS = 300;

type TextField = 'entityType' | 'entityId' | 'search';

/** One free-text filter, edited in the draft (the bar commits it after a typing pause). */
function TextFilter(props: {
  label: string;
  field: TextField;
  draft: StreamFilters;
  edit: (patch: Partial<StreamFilters>) => void;
  type?: 'search';
  placeholder?: string;
  list?: string;
  className?: string;
  children?: ReactNode;
}): ReactNode {
  const { field } = props;
  return (
    <label className={props.className}>
      {props.label}
      <input
        name={field}
        type={props.type}
        list={props.list}
        value={props.draft[field]}
        placeholder={props.placeholder ?? 'any'}
        spellCheck={false}
        onChange={(event) => props.edit({ [field]: event.target.value })}
      />
      {props.children}
    </label>
  );
}

/** `iso` as a datetime-local input's value (local time, to the second); '' when it is not a date. */
function toLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  if (iso === '' || Number.isNaN(ms)) return '';
  const date = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A since/until filter: a local date and time in the input, an RFC 3339 instant in the URL. */
function InstantFilter(props: {
  label: string;
  field: 'since' | 'until';
  draft: StreamFilters;
  edit: (patch: Partial<StreamFilters>) => void;
}): ReactNode {
  const { field } = props;
  return (
    <label>
      {props.label}
      <input
        name={field}
        type="datetime-local"
        step={1}
        value={toLocalInput(props.draft[field])}
        onChange={(event) => {
          const ms = Date.parse(event.target.value);
          props.edit({ [field]: Number.isNaN(ms) ? '' : new Date(ms).toISOString() });
        }}
      />
    </label>
  );
}

/** The filter bar: selects apply at once, text fields after a typing pause; all of it lives in the URL. */
export function FilterBar(props: { filters: StreamFilters; entityTypes: readonly string[] }): ReactNode {
  const { filters } = props;
  const [draft, setDraft] = useState(filters);
  const filtersKey = filtersToSearch(filters);
  // Back/forward or a shared link changed the URL: show what it says.
  useEffect(() => setDraft(parseFilters(filtersKey)), [filtersKey]);

  const navigate = useNavigate();
  const commit = useCallback(
    (next: StreamFilters) => navigate(hrefs.stream(filtersToSearch(next)), { replace: true }),
    [navigate],
  );
  useEffect(() => {
    if (filtersToSearch(draft) === filtersKey) return;
    const timer = setTimeout(() => commit(draft), TYPING_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, filtersKey, commit]);

  const edit = (patch: Partial<StreamFilters>): void => setDraft((current) => ({ ...current, ...patch }));
  const hasAny = filtersKey !== '';
  return (
    <form
      className="filters"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        commit(draft);
      }}
    >
      <label>
        Action
        <select
          value={draft.action}
          onChange={(event) => {
            const next = { ...draft, action: event.target.value as EventAction | '' };
            setDraft(next);
            commit(next);
          }}
        >
          <option value="">any</option>
          {ACTIONS.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </select>
      </label>
      <TextFilter label="Entity type" field="entityType" draft={draft} edit={edit} list="entity-types">
        <datalist id="entity-types">
          {props.entityTypes.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
      </TextFilter>
      <TextFilter label="Entity id" field="entityId" draft={draft} edit={edit} />
      <TextFilter
        label="Search"
        field="search"
        draft={draft}
        edit={edit}
        type="search"
        placeholder="text in the raw body"
        className="grow"
      />
      <label className="check">
        <input
          type="checkbox"
          name="drift"
          checked={draft.drift === true}
          onChange={(event) => {
            const next = { ...draft, drift: event.target.checked };
            setDraft(next);
            commit(next);
          }}
        />
        Drift only
      </label>
      <InstantFilter label="Since" field="since" draft={draft} edit={edit} />
      <InstantFilter label="Until" field="until" draft={draft} edit={edit} />
      <button type="button" disabled={!hasAny} onClick={() => commit(EMPTY_FILTERS)}>
        Clear
      </button>
      {/* The URL's filters, not the draft: what the stream shows is what would be deleted. */}
      <DeleteMatchingButton filter={toEventFilter(filters)} />
      {/* The filters in force (not a draft still being typed), as a download of NDJSON, oldest first. */}
      <a
        className="button"
        href={exportHref(toEventFilter(filters))}
        download
        title="Download the matching events as NDJSON, oldest first"
      >
        Export
      </a>
    </form>
  );
}
