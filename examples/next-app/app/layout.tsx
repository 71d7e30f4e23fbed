import Link from 'next/link';
import type { ReactNode } from 'react';
import { DemoBanner } from '../../express-vite/src/DemoBanner';
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
          {isDemo() ? <DemoBanner /> : null}
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
