"use client";

import { useState } from "react";

/** Props of ConfirmButton. */
export interface ConfirmButtonProps {
  label: string;
  /** Question shown before the action runs, such as "Cancel collection X?". */
  question: string;
  confirmLabel: string;
  keepLabel: string;
  disabled?: boolean;
  onConfirm: () => void;
}

/** A destructive action that asks inline before it runs; Escape or the keep button backs out. */
export function ConfirmButton(props: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className="danger"
        disabled={props.disabled}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label={props.question}
      onKeyDown={(event) => {
        if (event.key === "Escape") setAsking(false);
      }}
    >
      <span>{props.question}</span>
      <button
        type="button"
        className="danger"
        autoFocus
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        {props.keepLabel}
      </button>
    </span>
  );
}
