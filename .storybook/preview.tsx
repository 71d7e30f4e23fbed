import { AiuProvider } from '@aiu/react';
import type { Preview } from '@storybook/react-vite';
import { QueryClient } from '@tanstack/react-query';
import { initialize, mswLoader } from 'msw-storybook-addon';
import '../stories/theme.css';

initialize({ onUnhandledRequest: 'bypass', quiet: true });

const preview: Preview = {
  loaders: [mswLoader],
  decorators: [
    // A fresh QueryClient per story: no cached data leaks from one story into the next.
    (Story) => (
      <AiuProvider baseUrl="/api/aiu" queryClient={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <div className="story">
          <Story />
        </div>
      </AiuProvider>
    ),
  ],
  parameters: { layout: 'padded' },
  tags: ['autodocs'],
};

export default preview;
