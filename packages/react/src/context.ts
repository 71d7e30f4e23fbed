import { createContext, useContext } from 'react';
import type { ChatTransport } from './core/chatController';

export type AiuConfig = Required<Pick<ChatTransport, 'baseUrl'>> & Omit<ChatTransport, 'baseUrl'>;

export const AiuContext = createContext<AiuConfig | null>(null);

/** The nearest AiuProvider's settings; without one, the handler is assumed at `/api/aiu`. */
export function useAiuConfig(): AiuConfig {
  return useContext(AiuContext) ?? DEFAULT_CONFIG;
}

const DEFAULT_CONFIG: AiuConfig = { baseUrl: '/api/aiu' };
