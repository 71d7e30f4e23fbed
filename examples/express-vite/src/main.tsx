import { AiuProvider } from '@aiu/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './theme.css';

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <AiuProvider baseUrl="/api/aiu">
      <App />
    </AiuProvider>
  </StrictMode>,
);
