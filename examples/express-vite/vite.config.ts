import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // Use the workspace packages' sources directly while developing them.
  resolve: { conditions: ['@aiu/source'] },
});
