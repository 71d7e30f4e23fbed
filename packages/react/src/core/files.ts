import type { FilePart, ImagePart } from '@aiu/core';
import type { AiuClientError } from './errors';

/** Files to send: what an `<input type="file">` gives, or ones the app has already (a URL each). */
export type FileInput = FileList | readonly File[] | ReadonlyArray<{ mediaType: string; url: string; filename?: string }>;

/** 5 MiB: the most Anthropic takes per image, and what a base64 body of a few of them stays under. */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1).replace(/\.0$/, '')} MB`;

/**
 * Files as message parts: images as image parts, anything else as file parts, read into data URLs.
 * Rejects with the client error to show (a file too large, or unreadable) before anything is sent.
 */
export async function filesToParts(files: FileInput | undefined, maxBytes: number): Promise<Array<ImagePart | FilePart>> {
  const list = Array.from((files ?? []) as ArrayLike<File | { mediaType: string; url: string; filename?: string }>);
  return Promise.all(
    list.map(async (file) => {
      const given = 'url' in file;
      const name = given ? file.filename : file.name;
      // A data: URL's payload is base64: three bytes in every four characters.
      const bytes = given ? (file.url.length * 3) / 4 : file.size;
      if (bytes > maxBytes && (!given || file.url.startsWith('data:'))) throw failure('file_too_large', `"${name ?? 'file'}" is ${megabytes(bytes)}, over the ${megabytes(maxBytes)} limit (useChat({ maxFileBytes }) sets it).`);
      const mediaType = (given ? file.mediaType : file.type) || 'application/octet-stream';
      // A file without a type reads as `data:;base64,…` in some browsers: the URL names the type the part does.
      const url = given ? file.url : (await dataUrlOf(file)).replace(/^data:[^;,]*/, `data:${mediaType}`);
      return mediaType.startsWith('image/') ? { type: 'image' as const, image: url, mediaType } : { type: 'file' as const, data: url, mediaType, ...(name ? { filename: name } : {}) };
    }),
  );
}

const failure = (code: string, message: string): AiuClientError => ({ code, message, retryable: false });

function dataUrlOf(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(failure('file_unreadable', `The file could not be read: ${reader.error?.message ?? 'unknown error'}`));
    reader.readAsDataURL(file);
  });
}
