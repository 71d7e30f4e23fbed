import type { ReactNode } from 'react';
import { type StreamingOutputApi, type UseStreamingOutputProps, useStreamingOutput } from './useStreamingOutput';

export interface StreamingOutputProps extends UseStreamingOutputProps {
  /** Render prop; without it, the text renders in a container with a polite status line. */
  children?: (api: StreamingOutputApi) => ReactNode;
}

export function StreamingOutput({ children, ...props }: StreamingOutputProps) {
  const api = useStreamingOutput(props);
  if (children) return <>{children(api)}</>;
  return (
    <>
      <div {...api.getContainerProps()}>{api.text}</div>
      <span {...api.getAnnouncerProps({ style: VISUALLY_HIDDEN })} />
    </>
  );
}

// Inline, not CSS: keeps the default status line for screen readers only, and ships no stylesheet.
const VISUALLY_HIDDEN = {
  position: 'absolute',
  width: 1,
  height: 1,
  margin: -1,
  padding: 0,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
} as const;
