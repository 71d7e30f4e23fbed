'use client';
import { AiuProvider } from '@aiu/react';
import type { ReactNode } from 'react';

export function Providers({ children }: { children: ReactNode }) {
  return <AiuProvider baseUrl="/api/aiu">{children}</AiuProvider>;
}
