import Link from 'next/link';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import '../../express-vite/src/theme.css';

export const metadata = { title: 'aiu — Next.js example' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <div className="app">
          <header className="top">
            <strong>aiu</strong>
            <nav aria-label="Pages">
              <Link href="/">Chat</Link>
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
