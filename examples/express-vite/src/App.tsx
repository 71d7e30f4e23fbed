import { useEffect, useState } from 'react';
import { ChatPage } from './ChatPage';
import { KeysPage } from './KeysPage';
import { UsagePage } from './UsagePage';

const PAGES = { chat: 'Chat', keys: 'Keys', usage: 'Usage' } as const;
type Page = keyof typeof PAGES;

function currentPage(): Page {
  const hash = window.location.hash.replace('#/', '') as Page;
  return hash in PAGES ? hash : 'chat';
}

export function App() {
  const [page, setPage] = useState<Page>(currentPage);
  useEffect(() => {
    const onHash = () => setPage(currentPage());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return (
    <div className="app">
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
      <main>{page === 'keys' ? <KeysPage /> : page === 'usage' ? <UsagePage /> : <ChatPage />}</main>
    </div>
  );
}
