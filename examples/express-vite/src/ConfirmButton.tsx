'use client';
import { useState } from 'react';

/** A destructive action asks once, inline: the first press arms it, the second does it. */
export function ConfirmButton({ label, what, onConfirm }: { label: string; what: string; onConfirm: () => Promise<unknown> }) {
  const [armed, setArmed] = useState(false);
  if (!armed) {
    return (
      <button type="button" className="secondary" onClick={() => setArmed(true)}>
        {label} <span className="visually-hidden">{what}</span>
      </button>
    );
  }
  return (
    <span className="confirm">
      <button type="button" className="danger" autoFocus onClick={() => void onConfirm().finally(() => setArmed(false))}>
        {`${label} ${what}?`}
      </button>
      <button type="button" className="secondary" onClick={() => setArmed(false)}>
        Cancel
      </button>
    </span>
  );
}
