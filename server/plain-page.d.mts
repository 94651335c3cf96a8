export function escapeHtml(text: string): string;
export function plainPageCsp(nonce: string): string;
export function plainPage(page: { title: string; paragraphs: string[]; link: { href: string; text: string }; nonce: string; head?: string }): string;
