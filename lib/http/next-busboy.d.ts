// The few parts of busboy (as Next.js ships it, without types) that lib/http/page-post.ts uses.
declare module "next/dist/compiled/busboy" {
  import type { Readable, Writable } from "node:stream";

  type PartInfo = { filename?: string; encoding: string; mimeType: string };

  interface Busboy extends Writable {
    on(event: "field", listener: (name: string, value: string, info: PartInfo) => void): this;
    on(event: "file", listener: (name: string, stream: Readable, info: PartInfo) => void): this;
    on(event: "close", listener: () => void): this;
    on(event: "error", listener: (error: unknown) => void): this;
  }

  export default function busboy(options: { headers: Record<string, string>; defParamCharset?: string; limits?: { fieldSize?: number } }): Busboy;
}
