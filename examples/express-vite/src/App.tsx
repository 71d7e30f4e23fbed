import { useEffect, useState } from 'react';
import { ChatPage } from './ChatPage';
import { ComparePage } from './ComparePage';
import { DemoBanner } from './DemoBanner';
import { KeysPage } from './KeysPage';
import { UsagePage } from './UsagePage';

const PAGES = { chat: 'Chat', compare: 'Compare', keys: 'Keys', usage: 'Usage' } as const;
type Page = keyof typeof PAGES;

function currentPage(): Page {
  const hash = window.location.hash.replace('#/', '') as Page;
  return hash in PAGES ? hash : 'chat';
}

/** Whether this server replays recorded replies (the example server and `aiu serve` both answer `/api/dashboard`). */
function useDemo(): boolean {
  const [demo, setDemo] = useState(false);
  useEffect(() => {
    fetch('/api/dashboard')
      .then((response): Promise<{ demo?: boolean }> | { demo?: boolean } => (response.ok ? response.json() : {}))
      .then((body) => setDemo(Boolean(body.demo)))
      .catch(() => {});
  }, []);
  return demo;
}

export function App() {
  const [page, setPage] = useState<Page>(currentPage);
  const demo = useDemo();
  useEffect(() => {
    const onHash = () => setPage(currentPage());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return (
    <div className="app">
      {demo ? <DemoBanner /> : null}
      <header className="top">
        <strong>aiu</strong>
        <nav aria-label="Pages">
          {(Object.keys(PAGES) as Page[]).map((id) => (
            <a key={id} href={`#/${id}`} aria-current={page === id ? 'page' : undefined}>
              {PAGES[id]}
            </a>
          ))}
        </nav>
      </header>
      <main>
        {page === 'keys' ? <KeysPage demo={demo} /> : page === 'usage' ? <UsagePage /> : page === 'compare' ? <ComparePage /> : <ChatPage />}
      </main>
    </div>
  );
}
