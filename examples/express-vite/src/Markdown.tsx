'use client';
import { memo } from 'react';
import ReactMarkdown from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';

/**
 * A reply as Markdown. It is re-parsed as it streams: CommonMark reads any prefix of a document
 * as a document (an unclosed fence is a code block to the end), so a half-written reply renders
 * as what it is so far, never as broken HTML. Raw HTML in a reply is not rendered.
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[[rehypeHighlight, { detect: true, ignoreMissing: true }]]}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
