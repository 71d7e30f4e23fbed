import Link from 'next/link';
import type { ReactNode } from 'react';
import { isDemo } from '../lib/aiu';
import { Providers } from './providers';
import '../../express-vite/src/theme.css';

export const metadata = { title: 'aiu — Next.js example' };
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <div className="app">
          {isDemo() ? (
            <p className="banner" role="status">
              <strong>Demo mode:</strong> replies are recorded provider responses replayed locally, and keys are stored but not checked. Set a provider key (e.g.{' '}
              <code>OPENAI_API_KEY</code>) and restart to talk to a real model.
            </p>
          ) : null}
          <header className="top">
            <strong>aiu</strong>
            <nav aria-label="Pages">
              <Link href="/">Chat</Link>
              <Link href="/compare">Compare</Link>
              <Link href="/keys">Keys</Link>
              <Link href="/usage">Usage</Link>
            </nav>
          </header>
          <main>
            <Providers>{children}</Providers>
          </main>
        </div>
      </body>
    </html>
  );
}
