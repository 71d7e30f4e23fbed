import type { FilePart, ImagePart } from '@aiu/core';
import type { AiuClientError } from './errors';

/** Files to send: what an `<input type="file">` gives, or ones the app has already (a URL each). */
export type FileInput = FileList | readonly File[] | ReadonlyArray<{ mediaType: string; url: string; filename?: string }>;

/** 5 MiB: the most Anthropic takes per image, and what a base64 body of a few of them stays under. */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Refused before anything is sent: the message and the conversation stay as they were. */
export class FileTooLargeError extends Error {
  readonly clientError: AiuClientError;

  constructor(name: string, bytes: number, maxBytes: number) {
    const message = `${name ? `"${name}"` : 'A file'} is ${megabytes(bytes)}; files are limited to ${megabytes(maxBytes)} (raise useChat({ maxFileBytes }) for larger ones).`;
    super(message);
    this.clientError = { code: 'file_too_large', message, retryable: false };
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

/** Files as message parts: images as image parts, anything else as file parts, read into data URLs. */
export async function filesToParts(files: FileInput | undefined, maxBytes: number): Promise<Array<ImagePart | FilePart>> {
  const list = Array.from((files ?? []) as ArrayLike<File | { mediaType: string; url: string; filename?: string }>);
  return Promise.all(
    list.map(async (file) => {
      if ('url' in file) {
        // A data: URL's payload is base64: three bytes in every four characters.
        const bytes = file.url.startsWith('data:') ? Math.floor(((file.url.length - file.url.indexOf(',') - 1) * 3) / 4) : 0;
        if (bytes > maxBytes) throw new FileTooLargeError(file.filename ?? '', bytes, maxBytes);
        return partOf(file.mediaType, file.url, file.filename);
      }
      if (file.size > maxBytes) throw new FileTooLargeError(file.name, file.size, maxBytes);
      const mediaType = file.type || 'application/octet-stream';
      // A file without a type reads as `data:;base64,…` in some browsers: the URL names the type the part does.
      return partOf(mediaType, (await dataUrlOf(file)).replace(/^data:[^;,]*/, `data:${mediaType}`), file.name);
    }),
  );
}

function partOf(mediaType: string, url: string, filename: string | undefined): ImagePart | FilePart {
  return mediaType.startsWith('image/') ? { type: 'image', image: url, mediaType } : { type: 'file', data: url, mediaType, ...(filename ? { filename } : {}) };
}

function dataUrlOf(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsDataURL(file);
  });
}
