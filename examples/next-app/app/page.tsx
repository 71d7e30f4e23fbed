import { ChatPage } from '../../express-vite/src/ChatPage';

export default function Page() {
  return <ChatPage />;
}
