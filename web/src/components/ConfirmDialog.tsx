import { useEffect, useId, useRef, type ReactNode } from 'react';

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, with how many: the reader decides on it. */
  children: ReactNode;
  confirmLabel: string;
  /** The confirm button is off (nothing to do, or the action is under way). */
  confirmDisabled?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal confirmation on the native `<dialog>` (focus kept inside, Escape cancels, the page behind
 * inert), instead of window.confirm, which a browser test cannot read and a screen reader announces poorly.
 * Cancel has the focus first: a stray Enter must not delete.
 */
export function ConfirmDialog(props: ConfirmDialogProps): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { open } = props;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
    >
      {open && (
        <>
          <h2 id={titleId}>{props.title}</h2>
          <div className="confirm-body">{props.children}</div>
          {props.error && (
            <p className="error" role="alert">
              {props.error}
            </p>
          )}
          <div className="confirm-actions">
            <button type="button" autoFocus onClick={props.onCancel}>
              Cancel
            </button>
            <button
              type="button"
              className="danger"
              disabled={props.confirmDisabled}
              onClick={props.onConfirm}
            >
              {props.confirmLabel}
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
